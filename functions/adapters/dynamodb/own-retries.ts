import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/**
 * The attribute every PutItem and UpdateItem writes: a random stamp, the same for every
 * attempt the SDK makes of that one call. Bookkeeping, like the keys: adapters strip it.
 */
export const WRITE_STAMP = 'ws';
const NAME = '#assentWs';
const VALUE = ':assentWs';
const MIDDLEWARE = 'assentOwnRetriedWrites';

type Wire = Record<string, unknown> & {
  Item?: Record<string, unknown>;
  UpdateExpression?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
  ReturnValues?: string;
  ReturnValuesOnConditionCheckFailure?: string;
};

/**
 * The stamp written by the call's own request (an Item attribute, or one more SET in its update),
 * and a condition that it is not there yet: a retry of a write that was applied fails, however
 * the write's own condition reads (an `ADD` under an unchanged condition would apply twice).
 */
function stamp(body: Wire, operation: 'PutItem' | 'UpdateItem', value: string): void {
  const attribute = { S: value };
  if (operation === 'PutItem') {
    body.Item = { ...body.Item, [WRITE_STAMP]: attribute };
  } else {
    const expression = body.UpdateExpression ?? '';
    const set = /(^|\s)SET\s/.exec(expression);
    body.UpdateExpression = set
      ? `${expression.slice(0, set.index + (set[1] ?? '').length)}SET ${NAME} = ${VALUE}, ${expression.slice(set.index + set[0].length)}`
      : `SET ${NAME} = ${VALUE} ${expression}`.trim();
  }
  const notYet = `(attribute_not_exists(${NAME}) OR ${NAME} <> ${VALUE})`;
  body.ConditionExpression = body.ConditionExpression ? `(${body.ConditionExpression}) AND ${notYet}` : notYet;
  body.ExpressionAttributeNames = { ...body.ExpressionAttributeNames, [NAME]: WRITE_STAMP };
  body.ExpressionAttributeValues = { ...body.ExpressionAttributeValues, [VALUE]: attribute };
  body.ReturnValuesOnConditionCheckFailure = 'ALL_OLD';
}

interface WireRequest {
  headers: Record<string, string>;
  body?: unknown;
}

const isWireRequest = (request: unknown): request is WireRequest => typeof request === 'object' && request !== null && 'headers' in request;

/** The JSON body as text: a string, or the bytes the SDK's JSON serializer writes (a Uint8Array). */
const textOf = (body: unknown): string | undefined => {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return undefined;
};

/**
 * A conditional write that DynamoDB applied, but whose answer the client never got (a timeout, a
 * reset connection, a 5xx after the write), is sent again by the SDK; that second attempt then fails
 * its condition, on the item its own first attempt wrote. Left alone, the caller would take its own
 * write for someone else's: "already exists", "taken", a lost race. This middleware stamps each
 * PutItem and UpdateItem with a random value kept across the SDK's attempts, on the condition that
 * the item does not carry it yet, and asks for the item on a failed condition; when that item
 * carries this call's stamp, the call succeeded (a retry of an unconditional `ADD` counts once), and
 * it answers as the first attempt would have (an update's `ALL_NEW` is that item). Added once to
 * the app's DynamoDB client (functions/app.ts), beneath the document client.
 */
export function recognizeOwnRetriedWrites(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request;
      if (!isWireRequest(request)) return next(args);
      const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1];
      if (operation !== 'PutItem' && operation !== 'UpdateItem') return next(args);
      const text = textOf(request.body);
      if (text === undefined) return next(args);
      const body = JSON.parse(text) as Wire;
      const value = randomBytes(12).toString('base64url');
      stamp(body, operation, value);
      request.body = JSON.stringify(body);
      if (request.headers['content-length'] !== undefined) request.headers['content-length'] = String(Buffer.byteLength(request.body as string));
      try {
        return await next(args);
      } catch (error) {
        const item = (error as { name?: string; Item?: Record<string, { S?: string }> }).Item;
        if ((error as Error).name !== 'ConditionalCheckFailedException' || item?.[WRITE_STAMP]?.S !== value) throw error;
        // The document client's unmarshalling ran below this middleware: answer in the caller's form.
        const documents = (context as { __aws_sdk_context?: { features?: Record<string, string> } }).__aws_sdk_context?.features?.DDB_MAPPER !== undefined;
        const attributes = body.ReturnValues === 'ALL_NEW' ? (documents ? unmarshall(item as Parameters<typeof unmarshall>[0]) : item) : undefined;
        return { output: { $metadata: (error as { $metadata?: object }).$metadata ?? {}, ...(attributes ? { Attributes: attributes } : {}) }, response: undefined } as never;
      }
    },
    { step: 'build', priority: 'high', name: MIDDLEWARE, override: true },
  );
}
