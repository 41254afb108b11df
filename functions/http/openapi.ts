import { isDeepStrictEqual } from 'node:util';
import * as z from 'zod';
import { Registry } from '#core/registry';
import { SECRET_PATTERN } from '#core/secrets';
import { actions } from '../actions/registry.ts';
import { actionPath, type ResourceRegistry, resourceRegistry } from '../resources.ts';
import { taskTypes as declaredTaskTypes } from '../task-types.ts';
import { ItemIdSchema } from './parse.ts';
import { type RouteDefinition, type RouteKey, routeKey, routes } from './routes.ts';
import { ROUTE_SPECS, type RouteSpec } from './route-specs.ts';
import { ProblemSchema } from './response-schemas.ts';
import { TaskIdSchema } from './schemas.ts';

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from routes.ts (paths, methods, security) and
 * the zod schemas of route-specs.ts (parameters, bodies, every answer). zod's own `z.toJSONSchema`
 * converts each schema; every schema named with `.meta({ id })` is hoisted from the result's
 * `$defs` into `components.schemas` and referenced with `$ref`, so a shape is described once.
 */

type JsonSchema = Record<string, unknown>;

/** The named schemas met while converting, and each converted schema with its refs pointing at them. */
class Components {
  readonly schemas: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const converted = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
    const { $schema: _dialect, $defs, ...root } = converted;
    for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
      const named = pointAtComponents(definition) as JsonSchema;
      const known = this.schemas[id];
      if (known && !isDeepStrictEqual(known, named)) {
        throw new Error(`Two different schemas are named "${id}" in /v1/openapi.json (an ${io} schema differs from one met before): give one another id in its .meta({ id }).`);
      }
      this.schemas[id] = named;
    }
    return pointAtComponents(root) as JsonSchema;
  }
}

/** Refs to `$defs` point at `components.schemas`; the safe-integer bounds zod gives every `.int()` (no bound at all to a reader) go. */
const pointAtComponents = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(pointAtComponents);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, inner]) => !((key === 'minimum' || key === 'maximum') && Math.abs(inner as number) === Number.MAX_SAFE_INTEGER))
      .map(([key, inner]) => [key, key === '$ref' && typeof inner === 'string' ? inner.replace(/^#\/\$defs\//, '#/components/schemas/') : pointAtComponents(inner)]),
  );
};

/** The schema of a path parameter: task ids are ULIDs, secrets 43 base64url characters, resources and actions the registered ones. */
function pathParameterSchema(path: string, name: string, resources: ResourceRegistry): z.ZodType {
  if (name === 'secret' || name === 'token') return z.string().regex(SECRET_PATTERN).describe('The one-time secret of an emailed link (43 base64url characters).');
  if (name === 'resource') {
    const names = resources.resources().map((resource) => resource.name);
    return (names.length ? z.enum(names) : z.string()).describe('A resource of GET /v1/actions.');
  }
  if (name === 'action') {
    const scope = path.includes('{id}') ? 'instance' : 'collection';
    const names = resources.resources().flatMap((resource) => resources.actionsOf(resource.name)).filter((entry) => entry.scope === scope).map((entry) => entry.action.name);
    const description = `A${scope === 'instance' ? 'n instance' : ' collection'} action of GET /v1/actions.`;
    return names.length ? z.enum([...new Set(names)]).describe(description) : z.string().describe(description);
  }
  if (path.startsWith('/v1/tasks/')) return TaskIdSchema.describe('A task id (a ULID).');
  return ItemIdSchema.describe('An item id.');
}

function operation(route: RouteDefinition, spec: RouteSpec, context: { resources: ResourceRegistry; taskTypes: Registry; components: Components }) {
  const { components } = context;
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => {
    const { description, ...schema } = components.convert(pathParameterSchema(route.path, match[1] as string, context.resources), 'input');
    return { name: match[1] as string, in: 'path', required: true, description, schema };
  });
  const queryParameters = Object.entries(spec.query?.shape ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    schema: components.convert(schema as z.ZodType, 'input'),
  }));
  const headerParameters = Object.entries(spec.headers ?? {}).map(([name, header]) => ({
    name,
    in: 'header',
    required: false,
    description: header.description,
    schema: components.convert(header.schema, 'input'),
  }));
  const body = typeof spec.body === 'function' ? spec.body(context.taskTypes) : spec.body;
  const bodySchema = body ? withDiscriminator(components.convert(body, 'input'), components) : undefined;
  const answers = Object.entries(spec.answers).map(([status, answer]) => [
    status,
    {
      description: answer.description,
      ...(answer.headers
        ? { headers: Object.fromEntries(Object.entries(answer.headers).map(([name, header]) => [name, { description: header.description, schema: components.convert(header.schema, 'output') }])) }
        : {}),
      content: {
        ...(answer.schema ? { 'application/json': { schema: components.convert(answer.schema, 'output') } } : {}),
        ...(answer.html ? { 'text/html': { schema: { type: 'string' } } } : {}),
      },
    },
  ]);
  const actionList = RESOURCE_ACTION_ROUTES.has(routeKey(route)) ? resourceActionsDescription(context.resources, route.path.includes('{id}') ? 'instance' : 'collection') : '';
  const description = [spec.description, actionList].filter(Boolean).join('\n\n');
  return {
    ...(description ? { description } : {}),
    operationId: operationId(route),
    summary: route.summary,
    tags: [route.path.split('/')[2] ?? 'about'],
    ...(route.auth === 'jwt' ? { security: [{ bearer: [] }] } : {}),
    parameters: [...pathParameters, ...queryParameters, ...headerParameters],
    ...(bodySchema && body
      ? {
          requestBody: {
            required: !body.safeParse(undefined).success,
            content: {
              'application/json': { schema: bodySchema },
              ...(spec.form ? { 'application/x-www-form-urlencoded': { schema: bodySchema } } : {}),
            },
          },
        }
      : {}),
    responses: {
      ...Object.fromEntries(answers),
      ...Object.fromEntries(spec.errors.map((status) => [String(status), { $ref: `#/components/responses/Problem${status}` }])),
      default: { $ref: '#/components/responses/Problem' },
    },
  };
}

/** `getV1TasksId`, `postV1TasksIdApprove`; `getRoot` for `/`. */
const operationId = (route: RouteDefinition) =>
  route.path === '/' ? `${route.method.toLowerCase()}Root` : `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/(^|[/.-])(\w)/g, (_, _sep, char: string) => char.toUpperCase())}`;

/**
 * A `oneOf` of named variants that each fix `type` (the task request variants) gets OpenAPI's
 * discriminator with its mapping, so generated clients and validators pick the variant by `type`.
 */
function withDiscriminator(schema: JsonSchema, components: Components): JsonSchema {
  const variants = (schema.oneOf ?? []) as { $ref?: string }[];
  const mapping = variants.map((variant) => {
    const type = components.schemas[variant.$ref?.replace('#/components/schemas/', '') ?? '']?.properties as { type?: { const?: unknown } } | undefined;
    return [type?.type?.const, variant.$ref];
  });
  if (variants.length === 0 || !mapping.every(([value, ref]) => typeof value === 'string' && ref)) return schema;
  return { ...schema, discriminator: { propertyName: 'type', mapping: Object.fromEntries(mapping) } };
}

const RESOURCE_ACTION_ROUTES = new Set(['POST /v1/{resource}/{id}/actions/{action}', 'POST /v1/{resource}/actions/{action}']);

/** The registered actions of a scope, alpha ones marked, for the generic resource-action operations. */
function resourceActionsDescription(registry: ResourceRegistry, scope: 'instance' | 'collection'): string {
  const lines = registry
    .resources()
    .flatMap((resource) => registry.actionsOf(resource.name))
    .filter((entry) => entry.scope === scope)
    .map((entry) => `- \`POST ${actionPath(entry)}\`${entry.stability === 'alpha' ? ' **[alpha]**' : ` (${entry.stability})`}: ${entry.action.description}`);
  return `Actions:\n${lines.join('\n')}`;
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: errors[] names each field',
  401: 'No valid bearer token',
  403: 'Not allowed',
  404: 'Not found',
  405: 'An instance action called on a collection path, or the reverse',
  409: 'Conflict: already decided, invalid, duplicate, or wrong state',
  410: 'The link expired or was replaced',
  412: 'If-Match names a version the task is no longer at: read it again',
  422: 'The Idempotency-Key was used for another request',
  429: "Too many requests for this address or from this client (the task type's limits): Retry-After says when to try again",
};

let defaultTaskTypes: Registry | undefined;

/**
 * The OpenAPI 3.1 document of the HTTP API. `taskTypes` gives the request body variants of
 * `POST /v1/tasks` (the app's registry; by default the declared task types).
 */
export function buildOpenApi(serverUrl: string, resources: ResourceRegistry = resourceRegistry, taskTypes: Registry = (defaultTaskTypes ??= new Registry(actions, declaredTaskTypes))) {
  const components = new Components();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const spec = ROUTE_SPECS[routeKey(route) as RouteKey];
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route, spec, { resources, taskTypes, components });
  }
  const problemRef = components.convert(ProblemSchema, 'output');
  const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemRef } } });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Assent',
      version: '1',
      description: 'Approval workflows: tasks of ordered actions with admin approval and emailed one-time tokens. Errors are RFC 9457 problem documents.',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components.schemas).sort(([a], [b]) => a.localeCompare(b))),
      responses: {
        Problem: problem('An error (500 and 503 among them: 503 carries Retry-After)'),
        ...Object.fromEntries(Object.entries(PROBLEM_DESCRIPTIONS).map(([status, description]) => [`Problem${status}`, problem(description)])),
      },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT from the configured issuer; admin operations need the role "admin" (cancel and token reissue also take "project_admin" of the task\'s project).' } },
    },
  };
}
