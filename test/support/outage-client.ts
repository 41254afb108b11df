/**
 * An HTTP client for the local API that goes on through an outage, as a patient client would: a
 * request that gets no answer (refused, reset, timed out: the stack is down or restarting) is sent
 * again after a moment, a `503` after its `Retry-After`, any other 5xx after a second. Every
 * answer, and every attempt that got none, is recorded, so a fault test can say what the API
 * answered while the fault lasted.
 */
export interface Answer {
  /** `POST /v1/tasks`, `GET /v1/tasks/{id}`...: the route, not the path (secrets stay out of reports). */
  readonly route: string;
  readonly sentAt: number;
  readonly answeredAt: number;
  /** null: no answer (`error` says why). */
  readonly status: number | null;
  readonly contentType?: string;
  readonly retryAfter?: string;
  /** The problem's type slug (`unavailable`, `already-decided`...), for problem+json answers. */
  readonly problem?: string;
  readonly error?: string;
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly json: any;
  readonly text: string;
}

export interface OutageClientOptions {
  readonly api: string;
  readonly adminToken: string;
  /** Told of every answer, and of every attempt that got none. */
  readonly record?: (answer: Answer) => void;
  /** One attempt is abandoned (and counts as no answer) after this long. @default 60_000 */
  readonly attemptTimeoutMs?: number;
  /** Retrying stops (and the request throws) after this long. @default 600_000 */
  readonly giveUpMs?: number;
}

export interface RequestOptions {
  readonly route: string;
  readonly json?: unknown;
  readonly headers?: Record<string, string>;
  readonly admin?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PROBLEM = /^https:\/\/assent\.dev\/problems\/(.+)$/;

/** Why a fetch got no answer: `ECONNREFUSED`, `UND_ERR_SOCKET`, `TimeoutError`... */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; name?: string; message?: string } }).cause;
  return cause?.code ?? cause?.name ?? (error as Error).name ?? String(error);
}

export class OutageClient {
  /** Requests sent and not yet answered: what a kill cuts. */
  inFlight = 0;
  private readonly attemptTimeoutMs: number;
  private readonly giveUpMs: number;

  constructor(private readonly options: OutageClientOptions) {
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 60_000;
    this.giveUpMs = options.giveUpMs ?? 600_000;
  }

  /** Sends until an answer that is not a 5xx comes, and answers it. */
  async send(method: string, path: string, request: RequestOptions): Promise<Reply> {
    const giveUp = Date.now() + this.giveUpMs;
    for (let attempt = 1; ; attempt++) {
      const reply = await this.once(method, path, request);
      if (reply && reply.status < 500) return reply;
      if (Date.now() > giveUp) throw new Error(`${method} ${request.route} got no answer but ${reply ? reply.status : 'none'} for ${this.giveUpMs / 1000} s (${attempt} attempts)`);
      const retryAfter = Number(reply?.headers.get('retry-after'));
      await sleep(reply === undefined ? 300 : reply.status === 503 && retryAfter > 0 ? retryAfter * 1000 : 1000);
    }
  }

  /** One attempt: the reply, or undefined when none came. */
  private async once(method: string, path: string, request: RequestOptions): Promise<Reply | undefined> {
    const sentAt = Date.now();
    this.inFlight += 1;
    try {
      const response = await fetch(`${this.options.api}${path}`, {
        method,
        headers: {
          ...(request.json === undefined ? {} : { 'content-type': 'application/json' }),
          ...(request.admin ? { authorization: `Bearer ${this.options.adminToken}` } : {}),
          ...request.headers,
        },
        ...(request.json === undefined ? {} : { body: JSON.stringify(request.json) }),
        signal: AbortSignal.timeout(this.attemptTimeoutMs),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const problem = PROBLEM.exec(String((json as { type?: unknown } | undefined)?.type ?? ''))?.[1];
      this.options.record?.({
        route: request.route,
        sentAt,
        answeredAt: Date.now(),
        status: response.status,
        ...(response.headers.get('content-type') ? { contentType: response.headers.get('content-type') as string } : {}),
        ...(response.headers.get('retry-after') ? { retryAfter: response.headers.get('retry-after') as string } : {}),
        ...(problem ? { problem } : {}),
      });
      return { status: response.status, headers: response.headers, json, text };
    } catch (error) {
      this.options.record?.({ route: request.route, sentAt, answeredAt: Date.now(), status: null, error: reasonOf(error) });
      return undefined;
    } finally {
      this.inFlight -= 1;
    }
  }
}
