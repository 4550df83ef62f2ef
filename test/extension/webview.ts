/**
 * Acting in a webview as a user would, for suites in VS Code for the Web: the web runner (scripts/test-web.mjs)
 * clicks and types in the visible webview with Playwright and answers once it has. The desktop runner cannot
 * reach a webview's page, so a test that needs this skips there (`needsWebviewDriver`).
 */
import { callRunner, isWeb } from './runner';

export type WebviewAction = { readonly action: 'click'; readonly selector: string } | { readonly action: 'fill' | 'press'; readonly selector: string; readonly value: string };

/** Clicks, fills or presses a key on the first element matching `selector` in the last visible webview (a panel shown beside the editor is that one while the sidebar's webview views are hidden). */
export async function inWebview(step: WebviewAction): Promise<void> {
  await callRunner('webview', { method: 'POST', body: JSON.stringify(step) });
}

/** Clicks the first element matching `selector` (a Playwright selector) in the workbench's page, waiting for it to appear. */
export async function inWorkbench(selector: string): Promise<void> {
  await callRunner('workbench', { method: 'POST', body: JSON.stringify({ selector }) });
}

/** Skips the current test where no runner can drive the webview (VS Code desktop). */
export function needsWebviewDriver(context: Mocha.Context): void {
  if (!isWeb()) context.skip();
}
