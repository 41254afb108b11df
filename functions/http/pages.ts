/** Small, dependency-free HTML pages for people following emailed links. Everything is escaped. */
import { createHash } from 'node:crypto';

/** The one style sheet of every page, inline (the pages load nothing else). */
export const PAGE_STYLE = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}
dt{font-weight:600}dd{margin:0 0 .5rem 0}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}
input,textarea{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}.note{color:#555;font-size:.9rem}
.error{color:#a00}pre{white-space:pre-wrap;overflow-wrap:anywhere;overflow-x:auto;max-width:100%;background:#f6f6f6;padding:.5rem}
code,h1,h2,h3{overflow-wrap:anywhere}`;

/** The Content-Security-Policy source of {@link PAGE_STYLE}: the pages may apply that style and no other. */
export const PAGE_STYLE_SOURCE = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;

export const escapeHtml = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)} · Assent</title>
<style>${PAGE_STYLE}</style></head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;
}

export const messagePage = (title: string, message: string, extra = ''): string =>
  page(title, `<p>${escapeHtml(message)}</p>${extra}`);
