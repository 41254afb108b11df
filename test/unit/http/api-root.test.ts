import { readFileSync } from 'node:fs';
import { getApiRoot } from '#http/api-root';
import { handlers } from '#http/handler';
import type { HttpRequest } from '#http/http-types';
import { PAGE_CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '#http/responses';
import { routes } from '#http/routes';

const { version, description } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string; description: string };
const request = (wantsHtml: boolean) => ({ wantsHtml, app: { env: { publicUrl: 'https://api.example.com' } } }) as unknown as HttpRequest;

describe('GET / and GET /v1', () => {
  it('are public routes answered by the API description', () => {
    // Act
    const listed = routes.filter((route) => route.path === '/' || route.path === '/v1').map((route) => [route.method, route.path, route.auth, handlers[`${route.method} ${route.path}`]]);

    // Assess
    expect(listed).toStrictEqual([
      ['GET', '/', 'none', getApiRoot],
      ['GET', '/v1', 'none', getApiRoot],
    ]);
  });

  it("answer JSON with the name, package.json's version and the links to the docs and the OpenAPI document, with the security headers", async () => {
    // Act
    const response = await getApiRoot(request(false));

    // Assess
    expect(response).toStrictEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json', ...SECURITY_HEADERS },
      body: JSON.stringify({
        name: 'Assent',
        description,
        version,
        apiVersion: 'v1',
        links: { docs: 'https://api.example.com/docs', openapi: 'https://api.example.com/v1/openapi.json', api: 'https://api.example.com/v1', console: 'https://api.example.com/console' },
      }),
    });
  });

  it('answer a browser with a small page linking the same places, with the pages\' CSP', async () => {
    // Act
    const response = await getApiRoot(request(true));

    // Assess
    expect(response.headers).toStrictEqual({ 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS, 'content-security-policy': PAGE_CONTENT_SECURITY_POLICY });
    expect(response.body).toContain(`<p>Version ${version}, API v1.</p>`);
    expect(response.body).toContain('<li><a href="https://api.example.com/docs">The API reference</a></li>\n<li><a href="https://api.example.com/v1/openapi.json">The OpenAPI 3.1 document</a></li>\n<li><a href="https://api.example.com/console">The console</a>: approvers\' inbox, task detail, admins\' work</li></ul>');
  });
});
