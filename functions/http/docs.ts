import type { RouteHandler } from './http-types.ts';
import { buildOpenApi } from './openapi.ts';
import { escapeHtml, page } from './pages.ts';
import { html, json } from './responses.ts';

type Operation = {
  summary: string;
  description?: string;
  security?: unknown[];
  parameters: { name: string; in: string; description?: string; schema: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description?: string; $ref?: string }>;
};

let cached: { url: string; document: ReturnType<typeof buildOpenApi> } | undefined;
const documentFor = (url: string) => {
  if (cached?.url !== url) cached = { url, document: buildOpenApi(url) };
  return cached.document;
};

/** `GET /v1/openapi.json`. */
export const getOpenApi: RouteHandler = async ({ app }) => json(200, documentFor(app.env.publicUrl));

/** `GET /docs`: the OpenAPI document as one self-contained page. */
export const getDocs: RouteHandler = async ({ app }) => {
  const document = documentFor(app.env.publicUrl);
  const sections = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, Operation>).map(([method, op]) => {
      const parameters = op.parameters.length
        ? `<p>Parameters: ${op.parameters.map((p) => `<code>${escapeHtml(p.name)}</code> (${escapeHtml(p.in)})`).join(', ')}</p>`
        : '';
      const body = op.requestBody
        ? `<details><summary>Body (${escapeHtml(Object.keys(op.requestBody.content).join(' or '))})</summary><pre>${escapeHtml(JSON.stringify(Object.values(op.requestBody.content)[0]?.schema, null, 2))}</pre></details>`
        : '';
      const responses = Object.entries(op.responses)
        .filter(([status]) => status !== 'default')
        .map(([status]) => `<code>${escapeHtml(status)}</code>`)
        .join(' ');
      return `<section id="${escapeHtml(`${method}-${path}`)}"><h2><code>${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</code>${op.security ? ' <small>(bearer JWT)</small>' : ''}</h2>
<p>${escapeHtml(op.summary)}</p>${op.description ? `<pre>${escapeHtml(op.description)}</pre>` : ''}${parameters}${body}<p class="note">Answers: ${responses}; errors are <code>application/problem+json</code>.</p></section>`;
    }),
  );
  return html(
    200,
    page(
      'Assent API',
      `<p>${escapeHtml(document.info.description)} Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a>.</p>${sections.join('\n')}`,
    ),
  );
};
