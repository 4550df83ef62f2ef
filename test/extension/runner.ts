/**
 * The suite's channel to the program that runs it.
 *
 * Under VS Code for the Web, scripts/web-host.mjs serves `/cnn-lens-test/*` on the workbench's own origin, and the
 * extension host (a Web Worker whose origin is that server) fetches from it: a request is a call that returns
 * when the runner has done its part (e.g. saved a screenshot), so the suite waits on a response, not on a file
 * or a sleep. Under desktop (scripts/test-desktop.mjs) there is no such server: options come from the
 * environment and requests that need the page, like screenshots, are skipped.
 */
import * as vscode from 'vscode';

export interface RunnerOptions {
  /** Only the tests whose full title matches this pattern. */
  readonly grep?: string;
  /** The color theme to run in (web only; desktop keeps the user's). */
  readonly theme?: 'dark' | 'light';
}

export const isWeb = (): boolean => vscode.env.uiKind === vscode.UIKind.Web;

/** Calls the web runner; throws on an HTTP error, with the runner's message. */
export async function callRunner(path: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(new URL(`/cnn-lens-test/${path}`, self.location.origin), init);
  if (!response.ok) throw new Error(`runner ${path}: ${response.status} ${await response.text()}`);
  return response;
}

export async function runnerOptions(): Promise<RunnerOptions> {
  if (isWeb()) return (await callRunner('options')).json() as Promise<RunnerOptions>;
  const env = typeof process === 'undefined' ? {} : process.env;
  return { ...(env.CNN_LENS_TEST_GREP ? { grep: env.CNN_LENS_TEST_GREP } : {}) };
}
