/** A fresh nonce for a webview's Content-Security-Policy: its scripts run only if they carry it. */
export function nonce(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(18)), (b) => b.toString(16).padStart(2, '0')).join('');
}
