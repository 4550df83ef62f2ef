/**
 * Acting in a webview as a user would, for suites in VS Code for the Web: the web runner (scripts/test-web.mjs)
 * clicks and types in the visible webview with Playwright and answers once it has. The desktop runner cannot
 * reach a webview's page, so a test that needs this skips there (`needsWebviewDriver`).
 */
import { callRunner, isWeb } from './runner';

export type WebviewAction =
  | { readonly action: 'click' | 'hover'; readonly selector: string }
  | { readonly action: 'fill' | 'press'; readonly selector: string; readonly value: string };

/** Clicks, hovers over, fills or presses a key on the first element matching `selector` in the last visible webview (a panel shown beside the editor is that one while the sidebar's webview views are hidden). */
export async function inWebview(step: WebviewAction): Promise<void> {
  await callRunner('webview', { method: 'POST', body: JSON.stringify(step) });
}

/** The text of every element matching `selector` (a Playwright selector) in the last visible webview, once one is in `state`. */
export async function webviewTexts(
  selector: string,
  state: 'visible' | 'hidden' | 'attached' = 'visible',
): Promise<string[]> {
  return (
    await callRunner('webviewTexts', { method: 'POST', body: JSON.stringify({ selector, state }) })
  ).json() as Promise<string[]>;
}

/** Clicks the first element matching `selector` (a Playwright selector) in the workbench's page, waiting for it to appear. */
export async function inWorkbench(selector: string): Promise<void> {
  await callRunner('workbench', { method: 'POST', body: JSON.stringify({ selector }) });
}

/** The text of every element matching `selector` (CSS) in the workbench's page, as the user sees it now. */
export async function workbenchTexts(selector: string): Promise<string[]> {
  return (await callRunner('texts', { method: 'POST', body: JSON.stringify({ selector }) })).json() as Promise<
    string[]
  >;
}

/** Resizes the browser window the workbench runs in (web only). */
export async function setViewport(width: number, height: number): Promise<void> {
  await callRunner('viewport', { method: 'POST', body: JSON.stringify({ width, height }) });
}

/** An element's widths in the visible webview: the document's, or one that scrolls sideways inside it. */
export interface Overflow {
  readonly selector: string;
  readonly clientWidth: number;
  readonly scrollWidth: number;
}

/** The visible webview's document width, then every element in it that scrolls sideways (has more to show than fits). */
export async function measureWebview(): Promise<Overflow[]> {
  return (await callRunner('measure', { method: 'POST' })).json() as Promise<Overflow[]>;
}

/** Skips the current test where no runner can drive the webview (VS Code desktop). */
export function needsWebviewDriver(context: Mocha.Context): void {
  if (!isWeb()) context.skip();
}
