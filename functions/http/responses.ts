import type { HttpResponse } from './http-types.ts';
import { PAGE_STYLE_SOURCE } from './pages.ts';

/**
 * On every response, whatever its kind: never cached (answers hold tasks and one-time links), HTTPS
 * only for two years once seen (API Gateway serves HTTPS only), no MIME sniffing, no Referer (a
 * page's URL may hold a one-time secret), never framed (clickjacking of the approve button), and a
 * Content-Security-Policy that lets a JSON answer load nothing.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/**
 * What the HTML pages (functions/http/pages.ts) need and nothing more: their one inline style sheet
 * (by hash, not 'unsafe-inline'), forms that post back to the API itself; no script, image, font
 * or frame, from anywhere.
 */
export const PAGE_CONTENT_SECURITY_POLICY = `default-src 'none'; style-src ${PAGE_STYLE_SOURCE}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

/**
 * What the pages of emailed links (functions/http/pages/) need and nothing more: the console's
 * style sheet from this origin (`/console/console.css`), forms that post back to the API itself; no
 * script, no inline style, no image, font or frame.
 */
export const LINK_PAGE_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** A JSON answer; `headers` add to it (`location`...) but cannot replace a security header. */
export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers, ...SECURITY_HEADERS },
  body: JSON.stringify(body),
});

/** RFC 9457 problem document. */
export const problem = (statusCode: number, body: Record<string, unknown>): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/problem+json', ...SECURITY_HEADERS },
  body: JSON.stringify(body),
});

export const html = (statusCode: number, body: string): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS, 'content-security-policy': PAGE_CONTENT_SECURITY_POLICY },
  body,
});

/** A page of an emailed link (functions/http/pages/layout.ts), with {@link LINK_PAGE_CONTENT_SECURITY_POLICY}. */
export const linkHtml = (statusCode: number, body: string): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS, 'content-security-policy': LINK_PAGE_CONTENT_SECURITY_POLICY },
  body,
});
