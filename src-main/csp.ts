// The Content-Security-Policy of the renderer, in the Electron window and in
// the browser host alike. Plain data: no `electron` import.

/**
 * Scripts only from the app itself (no inline script, no eval), no plugins, no
 * frames, no forms, no base-URL tricks. Styles allow inline because AG Grid
 * injects its theme as `<style>` elements.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The development server (electron-vite dev) injects an inline React refresh preamble and talks over a WebSocket. */
export function devContentSecurityPolicy(devServerOrigin: string): string {
  const ws = devServerOrigin.replace(/^http/, 'ws');
  return CONTENT_SECURITY_POLICY.replace("script-src 'self'", `script-src 'self' 'unsafe-inline' ${devServerOrigin}`).replace(
    "connect-src 'self'",
    `connect-src 'self' ${devServerOrigin} ${ws}`,
  );
}
