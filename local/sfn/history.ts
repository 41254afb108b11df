import type { ExecutionRecord, HistoryEvent, JsonObject, JsonValue } from './records.ts';

/** Which `…EventDetails` member carries an event type's details. */
function detailsKey(type: string): `${string}EventDetails` {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

/** Appends an event to the execution's history, numbering it like AWS (ids from 1, linked to the previous one). */
export function appendEvent(record: ExecutionRecord, type: string, details?: JsonObject, timestamp = Date.now()): void {
  const id = record.history.length + 1;
  const event: HistoryEvent = { id, previousEventId: id - 1, timestamp, type };
  if (details) event[detailsKey(type)] = details;
  record.history.push(event);
}

/** A JSON string for a history or API field (AWS carries inputs and outputs as strings). */
export const jsonText = (value: JsonValue | undefined): string => JSON.stringify(value ?? null);

/** Payload details (`input`/`output` plus their `…Details`), as AWS shapes them. */
export const payload = (field: 'input' | 'output', value: JsonValue | undefined): JsonObject => ({
  [field]: jsonText(value),
  [`${field}Details`]: { truncated: false },
});

/** A cause as a string: the library sometimes reports an error object as the cause. */
export function causeText(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  if (cause === undefined || cause === null) return '';
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause);
}

/** Error/cause details without empty members. */
export function errorDetails(error: string | undefined, cause: string | undefined): JsonObject {
  return { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) };
}

/** The wire form of a history event: epoch seconds instead of milliseconds. */
export function historyEventShape(event: HistoryEvent): JsonObject {
  return { ...(event as unknown as JsonObject), timestamp: event.timestamp / 1000 };
}
