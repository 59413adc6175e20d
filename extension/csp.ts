// The webviews' Content-Security-Policy: nothing by default; styles and fonts only from the
// extension's own files (no inline styles); scripts only with this page's nonce.

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}
