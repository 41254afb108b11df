import { Validator } from '@seriousme/openapi-schema-validator';
import { buildOpenApi } from '#http/openapi';
import { routes } from '#http/routes';

describe('GET /v1/openapi.json', () => {
  const document = buildOpenApi('https://api.example.com');

  it('is a valid OpenAPI 3.1 document (checked by an OpenAPI schema validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect([result.valid, result.errors]).toStrictEqual([true, undefined]);
    expect(validator.version).toBe('3.1');
  });

  it('is refused by the same validator when broken (a parameter in an unknown place)', async () => {
    const broken = structuredClone(document) as unknown as { paths: Record<string, Record<string, { parameters: { in: string }[] }>> };
    const parameter = broken.paths['/v1/tasks']?.get?.parameters[0];
    if (parameter) parameter.in = 'body';
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('documents every route, with bearer security exactly on the JWT routes', () => {
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path} ${(op as { security?: unknown }).security ? 'jwt' : 'none'}`),
    );
    expect(documented.sort()).toStrictEqual(routes.map((route) => `${route.method} ${route.path} ${route.auth}`).sort());
  });

  it('derives request bodies and query parameters from the zod schemas the handlers parse with', () => {
    const create = document.paths['/v1/tasks']?.post as { requestBody: { content: Record<string, { schema: { required: string[]; additionalProperties: boolean } }> } };
    expect(create.requestBody.content['application/json']?.schema.required).toStrictEqual(['type', 'data']);
    expect(create.requestBody.content['application/json']?.schema.additionalProperties).toBe(false);
    const list = document.paths['/v1/tasks']?.get as { parameters: { name: string; in: string }[] };
    expect(list.parameters.map((p) => `${p.in}:${p.name}`)).toStrictEqual([
      'query:status',
      'query:type',
      'query:requester',
      'query:createdFrom',
      'query:createdTo',
      'query:limit',
      'query:cursor',
    ]);
  });
});
