/**
 * `GET /v1/tasks/{id}` without the local gateway: the HTTP handler the stack runs, imported into the
 * benchmark's process with the environment the stack gives its handlers (endpoints.json's
 * `handlerEnvironment`: the same table, through the same counting proxy) and called with the API
 * Gateway event the route gets. What it takes over its GetItem is the handler's own share of the
 * read (its JWT check, middy, the task's schema, the view); the rest of a GET over HTTP is the
 * local gateway's, which API Gateway does on AWS.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lambdaContext } from '../local/local-endpoints.ts';
import { apiGatewayGet } from './api-gateway-event.ts';
import type { BenchStack } from './stack.ts';

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

let loaded: Promise<HttpHandler> | undefined;

/** The stack's HTTP handler, in this process: imported once, after its environment is set, as Lambda loads it. */
function httpHandler(stack: BenchStack): Promise<HttpHandler> {
  loaded ??= (async () => {
    Object.assign(process.env, stack.endpoints.handlerEnvironment);
    const { handler } = await import('../functions/http/handler.ts');
    return handler as unknown as HttpHandler;
  })();
  return loaded;
}

/** `amount` calls of the handler one at a time, each timed from the call to its answer (ms); any answer but 200 throws. */
export async function handlerReads(stack: BenchStack, taskId: string, amount: number): Promise<number[]> {
  const handler = await httpHandler(stack);
  const context = lambdaContext('assent-http', stack.endpoints.handlerEnvironment.AWS_REGION ?? 'us-east-1', '000000000000');
  const latenciesMs: number[] = [];
  for (let index = 0; index < amount; index += 1) {
    const event = apiGatewayGet('GET /v1/tasks/{id}', `/v1/tasks/${taskId}`, { headers: { authorization: `Bearer ${stack.endpoints.adminToken}` }, pathParameters: { id: taskId } });
    const started = performance.now();
    const result = await handler(event, context);
    latenciesMs.push(performance.now() - started);
    if (result.statusCode !== 200) throw new Error(`The HTTP handler answered GET /v1/tasks/${taskId} in this process with ${result.statusCode}: ${String(result.body).slice(0, 500)}`);
  }
  return latenciesMs;
}
