import { NotFoundError } from '#core/errors';
import { consoleAsset, isConsoleAsset } from '../console-assets.ts';
import { cognitoEndpointOf } from '../env.ts';
import type { HttpResponse, RouteHandler } from './http-types.ts';
import { escapeHtml } from './pages.ts';
import { SECURITY_HEADERS } from './responses.ts';

/**
 * `/console`: the console's page (a shell that loads functions/console/console.client.js and
 * console.css from this origin), and those two files. Sign-in goes from the browser to the user
 * pool; the shell names where (`data-cognito-endpoint`, `data-client-id`), and its CSP lets the page
 * connect to this origin and that endpoint only, run only this origin's script, and never be framed.
 */

/** The user pool the console signs in against: the functions' own (the pool's app client is the JWT audience). */
function signInSettings(env: { readonly userPoolId: string; readonly jwtAudience: readonly string[] }) {
  const endpoint = cognitoEndpointOf();
  const clientId = env.jwtAudience[0] ?? '';
  return env.userPoolId && endpoint && clientId ? { endpoint, clientId } : undefined;
}

export function consolePolicy(cognitoEndpoint: string | undefined): string {
  const connect = ["'self'", ...(cognitoEndpoint ? [new URL(cognitoEndpoint).origin] : [])].join(' ');
  return `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${connect}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;
}

/** `GET /console`: the page. Changes nothing; holds no secret (the pool's client id is public). */
export const showConsole: RouteHandler = async ({ app }) => {
  const signIn = signInSettings(app.env);
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Assent console</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/console.css"></head>
<body data-cognito-endpoint="${escapeHtml(signIn?.endpoint ?? '')}" data-client-id="${escapeHtml(signIn?.clientId ?? '')}">
<a class="skip" href="#main">Skip to the content</a>
<header class="bar"><a class="brand" href="#/inbox">Assent</a><nav id="nav" aria-label="Console"></nav></header>
<main id="main" tabindex="-1"><h1>Assent console</h1><noscript><p>The console needs JavaScript. Approval and token links work without it.</p></noscript></main>
<div id="live" aria-live="polite" class="live"></div>
<script type="module" src="/console/console.client.js"></script>
</body></html>`;
  return page(200, body, { 'content-security-policy': consolePolicy(signIn?.endpoint) });
};

/** `GET /console/{asset}`: the console's script and style sheet, revalidated by ETag. */
export const getConsoleAsset: RouteHandler = async ({ params, headers }) => {
  const name = params.asset ?? '';
  if (!isConsoleAsset(name)) throw new NotFoundError(`There is no console file ${name}.`);
  const asset = consoleAsset(name);
  const cache = { 'cache-control': 'no-cache', etag: asset.etag };
  if (headers['if-none-match'] === asset.etag) return { statusCode: 304, headers: { ...SECURITY_HEADERS, ...cache }, body: '' };
  return { statusCode: 200, headers: { ...SECURITY_HEADERS, ...cache, 'content-type': asset.contentType }, body: asset.body };
};

const page = (statusCode: number, body: string, extra: Record<string, string>): HttpResponse => ({
  statusCode,
  headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', ...extra },
  body,
});
