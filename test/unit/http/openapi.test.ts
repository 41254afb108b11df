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
    // Prepare
    const note = document.paths['/v1/tasks/{id}/notes']?.post as { requestBody: { content: Record<string, { schema: unknown }> } };
    const list = document.paths['/v1/tasks']?.get as { parameters: { name: string; in: string }[] };

    // Act
    const noteBody = note.requestBody.content['application/json']?.schema;

    // Assess
    expect(noteBody).toStrictEqual({ type: 'object', properties: { note: { type: 'string', minLength: 1, maxLength: 4000 } }, required: ['note'], additionalProperties: false });
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
    const listed = (list.responses['200'] as { content: { 'application/json': { schema: unknown } } }).content['application/json'].schema;
    const page = document.components.schemas.TaskPage as { properties: { tasks: unknown } };

    // Assess
    expect(list.summary).toBe("List tasks, newest first, with filters and a cursor: admins all; project admins their projects' and their own; anyone else their own");
    expect(Object.keys(list.responses)).toStrictEqual(['200', '400', '401', 'default']);
    expect(listed).toStrictEqual({ $ref: '#/components/schemas/TaskPage' });
    expect(page.properties.tasks).toStrictEqual({ type: 'array', items: { anyOf: [{ $ref: '#/components/schemas/Task' }, { $ref: '#/components/schemas/RequesterTaskView' }] } });
    expect([(document.components.schemas.Task as { required: string[] }).required.includes('notes'), (document.components.schemas.RequesterTaskView as { required: string[] }).required.includes('notes')]).toStrictEqual([true, false]);
    expect([operation('/v1/tasks/{id}/cancel', 'post').summary, operation('/v1/tasks/{id}/token', 'post').summary]).toStrictEqual([
      'Cancel a task: stops its workflow, revokes its links (admin, or a project admin of its project)',
      'Reissue the token of a task waiting for one (admin, or a project admin of its project)',
    ]);
    expect(Object.keys(submit.responses)).toStrictEqual(['200', '400', '401', '403', '404', '410', 'default']);
    expect(submit.description).toContain('`tokenRequiresAuth`');
  });
});

describe('GET /v1/openapi.json: named schemas, one body per task type, every answer', () => {
  const document = buildOpenApi('https://api.example.com');
  type Operation = { parameters: { name: string; in: string; description?: string; schema: unknown }[]; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }> };
  const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods as Record<string, Operation>).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })));
  const refsIn = (value: unknown): string[] =>
    Array.isArray(value) ? value.flatMap(refsIn) : value && typeof value === 'object' ? Object.entries(value).flatMap(([key, inner]) => (key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner))) : [];

  it('names the shared shapes as components', () => {
    // Act
    const names = Object.keys(document.components.schemas);

    // Assess
    expect(names).toStrictEqual([
      'Acknowledged', 'ActionAccepted', 'ActionResult', 'Actor', 'AdminNotes', 'ApiRoot', 'ApprovalProgress', 'ApprovalRequest', 'ApprovalState', 'ApprovalTaskView', 'ApproverTaskView',
      'BulkResult', 'BulkResults', 'Delegated', 'FieldError', 'InboxItem', 'InboxPage', 'InviteUserTaskRequest', 'JsonSchema', 'LinkDecision', 'Note', 'Notification', 'NotificationPage',
      'OpenApiDocument', 'Problem', 'QuotaChangeTaskRequest', 'ReconcileReport', 'RejectAnswer', 'RequesterTaskView', 'ResetPasswordTaskRequest', 'ResourceListing', 'Retried',
      'RoleGrantTaskRequest', 'SignUpTaskRequest', 'Status', 'Swept', 'Task', 'TaskPage', 'TaskRef', 'TaskStatus', 'TaskStatusRef', 'TaskTypeListing', 'Todo', 'TodoList',
      'TodosArchiveCompletedTaskRequest', 'TodosMarkDoneTaskRequest', 'TokenPage', 'TokenReissued', 'TokenRequest', 'TokenView', 'UniformAccepted', 'UpdatedTask', 'UpdateEmailTaskRequest',
      'VoteAnswer', 'VoteQueued',
    ]);
  });

  it('references only components that exist, and every component is referenced', () => {
    // Act
    const refs = new Set(refsIn(document));
    const schemaRefs = [...refs].filter((ref) => ref.startsWith('#/components/schemas/')).map((ref) => ref.slice('#/components/schemas/'.length));

    // Assess
    expect(schemaRefs.filter((name) => !(name in document.components.schemas))).toStrictEqual([]);
    expect(Object.keys(document.components.schemas).filter((name) => !schemaRefs.includes(name))).toStrictEqual([]);
    expect([...refs].filter((ref) => ref.startsWith('#/components/responses/') && !(ref.slice('#/components/responses/'.length) in document.components.responses))).toStrictEqual([]);
  });

  it('has a JSON schema (or an HTML page) for every success status, and problem+json for every error', () => {
    // Act
    const missing = operations.flatMap(({ key, op }) =>
      Object.entries(op.responses)
        .filter(([status, response]) => (/^2/.test(status) ? !response.content?.['application/json']?.schema && !response.content?.['text/html'] : !response.$ref?.startsWith('#/components/responses/Problem')))
        .map(([status]) => `${key} ${status}`),
    );
    const problem = (document.components.responses as Record<string, { content: Record<string, { schema: unknown }> }>).Problem404;

    // Assess
    expect(missing).toStrictEqual([]);
    expect(problem?.content).toStrictEqual({ 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } });
    expect(operations.find(({ key }) => key === 'POST /v1/tasks/{id}/approve')?.op.responses['202']?.content).toStrictEqual({ 'application/json': { schema: { $ref: '#/components/schemas/VoteQueued' } } });
  });

  it("offers one POST /v1/tasks body per task type, discriminated by type, each with its type's data schema", () => {
    // Prepare
    const create = operations.find(({ key }) => key === 'POST /v1/tasks')?.op;

    // Act
    const body = create?.requestBody?.content['application/json']?.schema as { oneOf: unknown[]; discriminator: { propertyName: string; mapping: Record<string, string> } };

    // Assess
    expect(body.discriminator).toStrictEqual({
      propertyName: 'type',
      mapping: {
        'sign-up': '#/components/schemas/SignUpTaskRequest',
        'reset-password': '#/components/schemas/ResetPasswordTaskRequest',
        'invite-user': '#/components/schemas/InviteUserTaskRequest',
        'update-email': '#/components/schemas/UpdateEmailTaskRequest',
        'quota-change': '#/components/schemas/QuotaChangeTaskRequest',
        'role-grant': '#/components/schemas/RoleGrantTaskRequest',
        'todos.mark-done': '#/components/schemas/TodosMarkDoneTaskRequest',
        'todos.archive-completed': '#/components/schemas/TodosArchiveCompletedTaskRequest',
      },
    });
    expect(body.oneOf).toStrictEqual(Object.values(body.discriminator.mapping).map(($ref) => ({ $ref })));
    expect(document.components.schemas.RoleGrantTaskRequest).toStrictEqual({
      type: 'object',
      properties: {
        type: { type: 'string', const: 'role-grant' },
        data: {
          type: 'object',
          properties: { role: { type: 'string', enum: ['project_admin', 'member'], description: 'The role the requester asks for on their own project: project_admin or member.' } },
          required: ['role'],
          additionalProperties: false,
        },
      },
      required: ['type', 'data'],
      additionalProperties: false,
      description: "Ask for a role (project_admin or member) on your project. One of the project's admins approves, then two of security; overdue, admins are asked too. (task type `role-grant`)",
    });
  });

  it('gives path parameters their patterns: task ids are ULIDs, secrets 43 base64url characters, resources and actions the registered ones', () => {
    // Act
    const parameters = Object.fromEntries(
      ['GET /v1/tasks/{id}', 'GET /v1/approvals/{secret}', 'POST /v1/tokens/{token}', 'GET /v1/notifications/{id}', 'POST /v1/{resource}/{id}/actions/{action}'].map((key) => [
        key,
        operations.find((operation) => operation.key === key)?.op.parameters.filter((parameter) => parameter.in === 'path').map((parameter) => [parameter.name, parameter.description, parameter.schema]),
      ]),
    );

    // Assess
    const secret = ['The one-time secret of an emailed link (43 base64url characters).', { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' }];
    const itemId = ['An item id.', { type: 'string', minLength: 1, maxLength: 64 }];
    expect(parameters).toStrictEqual({
      'GET /v1/tasks/{id}': [['id', 'A task id (a ULID).', { type: 'string', pattern: '^[0-9A-HJKMNP-TV-Z]{26}$' }]],
      'GET /v1/approvals/{secret}': [['secret', ...secret]],
      'POST /v1/tokens/{token}': [['token', ...secret]],
      'GET /v1/notifications/{id}': [['id', ...itemId]],
      'POST /v1/{resource}/{id}/actions/{action}': [
        ['resource', 'A resource of GET /v1/actions.', { type: 'string', enum: ['todos'] }],
        ['id', ...itemId],
        ['action', 'An instance action of GET /v1/actions.', { type: 'string', enum: ['mark-done'] }],
      ],
    });
  });

  it('describes the status counts as one integer per task status', () => {
    // Act
    const counts = (document.components.schemas.Status as { properties: { counts: unknown } }).properties.counts;

    // Assess
    const statuses = ['pending', 'approved', 'awaiting_token', 'completed', 'rejected', 'cancelled', 'failed', 'expired'];
    expect(counts).toStrictEqual({ type: 'object', properties: Object.fromEntries(statuses.map((status) => [status, { type: 'integer' }])), required: statuses, additionalProperties: false });
  });
});
