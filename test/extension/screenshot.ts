/** Screenshots of the real workbench for docs/images, taken by the web runner while the suite waits. */
import { callRunner, isWeb } from './runner';

/**
 * Saves the page as it is now to `docs/images/NAME.png` (`NAME-light.png` under `--theme light`) and resolves
 * once the file is written, when the web runner was given `--screenshots` (`npm run screenshots`); otherwise
 * returns at once. A no-op in VS Code desktop, whose window the desktop runner cannot capture.
 */
export async function screenshot(name: string): Promise<void> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
    throw new Error(`screenshot name ${JSON.stringify(name)}: use a-z, 0-9 and -`);
  if (!isWeb()) return;
  await callRunner(`screenshot?name=${encodeURIComponent(name)}`, { method: 'POST' });
}
