import type * as z from 'zod';
import packageJson from '../../package.json' with { type: 'json' };
import type { RouteHandler } from './http-types.ts';
import { escapeHtml, page } from './pages.ts';
import { answer, ApiRootSchema } from './response-schemas.ts';
import { html } from './responses.ts';

/**
 * What `GET /` and `GET /v1` answer: the API's name, the version deployed (package.json's, bundled
 * with the function) and where its documentation is, as absolute URLs of this deployment.
 */
export function describeApi(publicUrl: string): z.output<typeof ApiRootSchema> {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    name: 'Assent',
    description: packageJson.description,
    version: packageJson.version,
    apiVersion: 'v1',
    links: { docs: `${base}/docs`, openapi: `${base}/v1/openapi.json`, api: `${base}/v1`, console: `${base}/console` },
  };
}

/** `GET /` and `GET /v1`: JSON, or a small page for a browser. */
export const getApiRoot: RouteHandler = async ({ wantsHtml, app }) => {
  const about = describeApi(app.env.publicUrl);
  if (!wantsHtml) return answer(ApiRootSchema, 200, about);
  return html(
    200,
    page(
      about.name,
      `<p>${escapeHtml(about.description)}</p>
<p>Version ${escapeHtml(about.version)}, API ${escapeHtml(about.apiVersion)}.</p>
<ul><li><a href="${escapeHtml(about.links.docs)}">The API reference</a></li>
<li><a href="${escapeHtml(about.links.openapi)}">The OpenAPI 3.1 document</a></li>
<li><a href="${escapeHtml(about.links.console)}">The console</a>: approvers' inbox, task detail, admins' work</li></ul>`,
    ),
  );
};
