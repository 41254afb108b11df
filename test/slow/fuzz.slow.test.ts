import fc from 'fast-check';
import { routeKey } from '#http/routes';
import {
  describeRequest,
  expectedAnswerer,
  type FuzzContext,
  type FuzzRequest,
  fuzzContext,
  fuzzedRoutes,
  problemsWith,
  requestArbitrary,
  send,
  stillServing,
  unknownRequestArbitrary,
} from '../support/fuzz.ts';

/**
 * Bad input at scale (issue 5): the arbitraries of test/support/fuzz.ts, 330 cases per route plus
 * unknown paths (over 10,000 in all), CONCURRENCY requests in flight. Cases are drawn with fc.sample
 * from one seed (printed; FUZZ_SEED=<seed> replays a run) so they can run concurrently; a failure lists
 * each bad answer with a replayable request. After each route: a health check and known-good requests.
 * FUZZ_RUNS_PER_ROUTE=<n> digs deeper.
 */
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS_PER_ROUTE ?? 330);
const CONCURRENCY = 8;
const MIN_TOTAL = 10_000;
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

let context: FuzzContext;
/** Per route: how many answers of each status (`401 gateway`: the JWT authorizer's own answer; `404 $default`: no route matched). */
const seen = new Map<string, Map<string, number>>();

beforeAll(async () => {
  context = await fuzzContext();
  console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays these cases)`);
});

afterAll(() => {
  const lines = [...seen].map(([label, statuses]) => {
    const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
    const counts = [...statuses].sort(([a], [b]) => a.localeCompare(b)).map(([status, count]) => `${status}×${count}`);
    return `${label.padEnd(44)} ${String(total).padStart(5)}  ${counts.join(' ')}`;
  });
  console.log(`Statuses seen per route (seed ${SEED}):\n${lines.join('\n')}`);
});

/** Runs `work` over `items`, at most `limit` at a time. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Sends every case, counts statuses, and answers the bad answers, each with its request. */
async function fuzz(label: string, arbitrary: fc.Arbitrary<FuzzRequest>, seed: number, runs: number): Promise<string[]> {
  const requests = fc.sample(arbitrary, { seed, numRuns: runs });
  const statuses = seen.get(label) ?? new Map<string, number>();
  seen.set(label, statuses);
  const failures: string[] = [];
  const started = Date.now();
  await inPool(requests, CONCURRENCY, async (request) => {
    const response = await send(context.api, request);
    const answerer = expectedAnswerer(request);
    const key = `${response.status || 'none'}${answerer === 'handler' ? '' : answerer === 'gateway 401' ? ' gateway' : ' $default'}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    const problems = problemsWith(request, response);
    if (problems.length) failures.push(`${problems.join('; ')}\n      ${describeRequest(request)}`);
  });
  console.log(`${label}: ${requests.length} cases in ${Date.now() - started} ms, ${failures.length} bad; statuses ${[...statuses].map(([status, count]) => `${status}×${count}`).join(' ')}`);
  return failures;
}

describe('fuzzing every route at scale: only 2xx or 4xx problem+json, never a 5xx, a leak or a hang', () => {
  const groups = [
    ...fuzzedRoutes.map((route, index) => ({ label: routeKey(route), arbitrary: () => requestArbitrary(route, context), seed: index })),
    { label: 'unknown paths and methods', arbitrary: () => unknownRequestArbitrary(context), seed: fuzzedRoutes.length },
  ];

  it.each(groups)(
    '$label',
    async ({ label, arbitrary, seed }) => {
      // Act
      const failures = await fuzz(label, arbitrary(), SEED + seed, RUNS_PER_ROUTE);

      // Assess
      expect({ seed: SEED + seed, bad: failures.length, first: failures.slice(0, 10) }).toStrictEqual({ seed: SEED + seed, bad: 0, first: [] });
      expect(await stillServing(context)).toStrictEqual([]);
    },
    600_000,
  );

  it(`ran at least ${MIN_TOTAL} cases, and the stack still serves`, async () => {
    const total = [...seen.values()].flatMap((statuses) => [...statuses.values()]).reduce((sum, count) => sum + count, 0);

    expect(total).toBeGreaterThanOrEqual(MIN_TOTAL);
    expect(await stillServing(context)).toStrictEqual([]);
  });
});
