import type { RouteHandler } from './http-types.ts';
import { buildOpenApi } from './openapi.ts';
import { escapeHtml, page } from './pages.ts';
import { answer, OpenApiDocumentSchema } from './response-schemas.ts';
import { html } from './responses.ts';

type Schema = { $ref?: string; anyOf?: Schema[]; oneOf?: Schema[]; type?: string; pattern?: string; enum?: unknown[] };
type Operation = {
  summary: string;
  description?: string;
  security?: unknown[];
  parameters: { name: string; in: string; description?: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description?: string; $ref?: string; content?: Record<string, { schema?: Schema }> }>;
};

let cached: { url: string; document: ReturnType<typeof buildOpenApi> } | undefined;
const documentFor = (url: string, app: Parameters<RouteHandler>[0]['app']) => {
  if (cached?.url !== url) cached = { url, document: buildOpenApi(url, app.resources, app.registry) };
  return cached.document;
};

/** `GET /v1/openapi.json`. */
export const getOpenApi: RouteHandler = async ({ app }) => answer(OpenApiDocumentSchema, 200, documentFor(app.env.publicUrl, app));

/**
 * The Markdown of OpenAPI descriptions as the page shows it: paragraphs, `- ` lists, `code` and
 * **bold**; everything escaped first, so a description can never inject markup.
 */
export function markdownToHtml(markdown: string): string {
  const inline = (text: string) =>
    escapeHtml(text)
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
  return markdown
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n');
      const items = lines.filter((line) => line.startsWith('- '));
      const lead = lines.filter((line) => !line.startsWith('- '));
      const paragraph = lead.length ? `<p>${inline(lead.join(' '))}</p>` : '';
      return `${paragraph}${items.length ? `<ul>${items.map((item) => `<li>${inline(item.slice(2))}</li>`).join('')}</ul>` : ''}`;
    })
    .join('');
}

/** One line of Markdown, without its paragraph. */
const inlineHtml = (markdown: string) => markdownToHtml(markdown).replace(/^<p>|<\/p>$/g, '');

const componentName = (ref: string) => ref.replace('#/components/schemas/', '');

/** A schema in a line: the components it names (linked to their section below), else its type and constraint. */
function schemaSummary(schema: Schema | undefined): string {
  if (!schema) return '';
  if (schema.$ref) return `<a href="#schema-${escapeHtml(componentName(schema.$ref))}">${escapeHtml(componentName(schema.$ref))}</a>`;
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) return variants.map(schemaSummary).join(' or ');
  const constraint = schema.enum ? `: ${schema.enum.map((value) => `<code>${escapeHtml(value)}</code>`).join(', ')}` : schema.pattern ? ` matching <code>${escapeHtml(schema.pattern)}</code>` : '';
  return `${escapeHtml(schema.type ?? 'any')}${constraint}`;
}

function section(path: string, method: string, op: Operation): string {
  const parameters = op.parameters.length
    ? `<p>Parameters:</p><ul>${op.parameters.map((p) => `<li><code>${escapeHtml(p.name)}</code> (${escapeHtml(p.in)}): ${schemaSummary(p.schema)}${p.description ? ` — ${inlineHtml(p.description)}` : ''}</li>`).join('')}</ul>`
    : '';
  const body = op.requestBody
    ? `<p>Body (${escapeHtml(Object.keys(op.requestBody.content).join(' or '))}): ${schemaSummary(Object.values(op.requestBody.content)[0]?.schema)}</p>`
    : '';
  const responses = Object.entries(op.responses)
    .filter(([status, response]) => status !== 'default' && !response.$ref)
    .map(([status, response]) => `<li><code>${escapeHtml(status)}</code> ${inlineHtml(response.description ?? '')}${response.content?.['application/json'] ? `: ${schemaSummary(response.content['application/json'].schema)}` : ''}${response.content?.['text/html'] ? ' (or an HTML page)' : ''}</li>`)
    .join('');
  const problems = Object.keys(op.responses).filter((status) => status !== 'default' && op.responses[status]?.$ref);
  return `<section id="${escapeHtml(`${method}-${path}`)}"><h2><code>${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</code>${op.security ? ' <small>(bearer JWT)</small>' : ''}</h2>
<p>${inlineHtml(op.summary)}</p>${op.description ? markdownToHtml(op.description) : ''}${parameters}${body}<p>Answers:</p><ul>${responses}</ul>
<p class="note">Errors${problems.length ? ` (${problems.map((status) => `<code>${escapeHtml(status)}</code>`).join(' ')})` : ''} are <a href="#schema-Problem">Problem</a> documents (<code>application/problem+json</code>).</p></section>`;
}

/** `GET /docs`: the OpenAPI document as one self-contained page: every operation, then every named schema. */
export const getDocs: RouteHandler = async ({ app }) => {
  const document = documentFor(app.env.publicUrl, app);
  const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods as Record<string, Operation>).map(([method, op]) => section(path, method, op)));
  const schemas = Object.entries(document.components.schemas).map(
    ([name, schema]) => `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${typeof schema.description === 'string' ? markdownToHtml(schema.description) : ''}
<details><summary>JSON Schema</summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details></section>`,
  );
  return html(
    200,
    page(
      'Assent API',
      `<p>${escapeHtml(document.info.description)} Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a>.</p>${operations.join('\n')}
<h2 id="schemas">Schemas</h2>${schemas.join('\n')}`,
    ),
  );
};
