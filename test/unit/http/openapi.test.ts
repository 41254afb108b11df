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

  it('documents scoped access: the list by role in either view, cancel and token reissue for project admins, and the token submit that may need a sign-in', () => {
    // Prepare
    type Operation = { summary: string; description?: string; responses: Record<string, unknown> };
    const operation = (path: string, method: string) => (document.paths[path] as Record<string, Operation>)[method] as Operation;
    const list = operation('/v1/tasks', 'get');
    const submit = operation('/v1/tokens/{token}', 'post');

    // Act
    const listed = (list.responses['200'] as { content: { 'application/json': { schema: { properties: { tasks: { items: { anyOf: { required: string[] }[] } } } } } } }).content['application/json'].schema.properties.tasks.items;

    // Assess
    expect(list.summary).toBe("List tasks, newest first, with filters and a cursor: admins all; project admins their projects' and their own; anyone else their own");
    expect(Object.keys(list.responses)).toStrictEqual(['200', '400', '401', 'default']);
    expect(listed.anyOf.map((schema) => schema.required.includes('history') && schema.required.includes('notes'))).toStrictEqual([true, false]);
    expect([operation('/v1/tasks/{id}/cancel', 'post').summary, operation('/v1/tasks/{id}/token', 'post').summary]).toStrictEqual([
      'Cancel a task: stops its workflow, revokes its links (admin, or a project admin of its project)',
      'Reissue the token of a task waiting for one (admin, or a project admin of its project)',
    ]);
    expect(Object.keys(submit.responses)).toStrictEqual(['200', '400', '401', '403', '404', '410', 'default']);
    expect(submit.description).toContain('`tokenRequiresAuth`');
  });
});
