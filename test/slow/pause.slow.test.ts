import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EndpointsWithPids } from '../support/killable-stack.ts';
import { MailWatcher } from '../support/mail-watcher.ts';
import { type Answer, OutageClient } from '../support/outage-client.ts';
import { seededRandom, seedFrom } from '../support/seeded-random.ts';
import { auditSignUps } from '../support/sign-up-audit.ts';
import { driveSignUp, runAll, type SignUpFlow } from '../support/sign-ups-through-faults.ts';
import { type RunningStack, spawnStack } from '../support/spawn-stack.ts';

/**
 * DynamoDB Local frozen with SIGSTOP (its JVM: `pids.dynamodb` in endpoints.json) while 20 sign-ups
 * run, for 8 s and, separately, for 3 minutes, then thawed with SIGCONT. A frozen database accepts
 * connections and never answers, as a hung dependency does: the SDK's request timeouts
 * (functions/adapters/sdk-timeouts.ts) turn that into a TransientError, which the API answers with
 * `503` problem+json and `Retry-After`, and the state machine retries. Every flow is driven to its
 * end by a client that honours Retry-After; at the end every task is completed, and every answer
 * given while the database was frozen was a success or that 503, never a 500. Prints its counts;
 * ASSENT_PAUSE_SEED=<seed> replays when the pause starts and the approval paths (ASSENT_TEST_KEEP_HOME=1
 * keeps the stack's data directory to look into a failure).
 */
const FLOWS = 20;
const SEED = seedFrom('ASSENT_PAUSE_SEED');
/** The reconciler every 5 s, checking tasks unchanged for 30 s: a task whose execution gave up is failed (visibly) soon after the thaw. */
const STACK_ENV = { ASSENT_RECONCILE_SECONDS: '5', ASSENT_RECONCILE_GRACE_SECONDS: '30' };
/** A wait that sees no progress for this long after the thaw gives up. */
const QUIET_MS = 90_000;
/** Flows start this far apart (20 flows over 8 s), so that the freeze finds them creating, waiting for approval, approving, submitting. */
const STAGGER_MS = 400;
/**
 * The freeze begins right after the k-th successful create, approval or submit (k drawn in this
 * range): what that answer set going (the task's next step) is running then, so steps as well as
 * requests meet the freeze.
 */
const FREEZE_AFTER_ACTIONS = [8, 30] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** An answer given (or withheld) while the database was frozen: sent before the thaw, answered after the freeze. */
const overlaps = (answer: Answer, from: number, to: number) => answer.sentAt < to && answer.answeredAt > from;
const isRetryable503 = (answer: Answer) => answer.status === 503 && answer.contentType === 'application/problem+json' && answer.problem === 'unavailable' && answer.retryAfter !== undefined;
/**
 * A repeat of a create whose first try still holds its Idempotency-Key (that try waits on the frozen
 * database): 409 concurrent-update with Retry-After, as the Idempotency-Key draft has it. Not an
 * error of the server: the client is told to try again, as with a 503.
 */
const isHeldKey = (answer: Answer) => answer.status === 409 && answer.route === 'POST /v1/tasks' && answer.problem === 'concurrent-update' && answer.retryAfter !== undefined;
const isRetryLater = (answer: Answer) => isRetryable503(answer) || isHeldKey(answer);

describe('DynamoDB Local frozen (SIGSTOP) during sign-ups', () => {
  const home = mkdtempSync(join(tmpdir(), 'assent-pause-'));
  const random = seededRandom(SEED);
  let stack: RunningStack;
  let jvm: number;
  let frozen = false;

  beforeAll(async () => {
    stack = await spawnStack(home, { PORT: '0', MAIL_PORT: '0', DYNAMODB_PORT: '0', SFN_PORT: '0', EVENTS_PORT: '0' }, STACK_ENV);
    const pid = (stack.endpoints as EndpointsWithPids).pids?.dynamodb;
    if (!pid) throw new Error(`endpoints.json names no DynamoDB Local process (pids.dynamodb): ${JSON.stringify(stack.endpoints)}`);
    jvm = pid;
  }, 120_000);

  afterAll(async () => {
    // Never leave a frozen JVM behind: the stack could not stop it.
    if (frozen) process.kill(jvm, 'SIGCONT');
    await stack?.stop();
    if (process.env.ASSENT_TEST_KEEP_HOME === '1') console.log(`kept ${home}`);
    else rmSync(home, { recursive: true, force: true });
  }, 60_000);

  /** Runs FLOWS sign-ups, freezing DynamoDB Local for `pauseMs` while they run; prints and answers the counts. */
  async function signUpsThroughAFreeze(label: string, pauseMs: number) {
    const answers: Answer[] = [];
    const window = { frozen: false, since: 0 };
    const freezeAfter = random.int(...FREEZE_AFTER_ACTIONS);
    let actions = 0;
    let startFreeze = () => undefined as void;
    const actionsDone = new Promise<void>((resolve) => {
      startFreeze = resolve;
    });
    const record = (answer: Answer) => {
      answers.push(answer);
      const action = answer.route.startsWith('POST') && answer.status !== null && answer.status >= 200 && answer.status < 300;
      if (action && ++actions === freezeAfter) startFreeze();
    };
    const client = new OutageClient({ api: stack.endpoints.api, adminToken: stack.endpoints.adminToken, record, attemptTimeoutMs: 120_000 });
    const mail = new MailWatcher(stack.endpoints.mailbox, 1_000);
    mail.start();
    const env = { client, mail, faults: { isUp: () => !window.frozen, upSince: () => window.since }, quietMs: QUIET_MS };
    const name = label.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const flows: SignUpFlow[] = Array.from({ length: FLOWS }, (_, index) => ({
      index,
      email: `${name}-${SEED}-${index}@example.com`,
      projectName: `${name}-${SEED}-${index}`,
      approveBy: random.pick(['link', 'admin'] as const),
      problems: [],
      replays: [],
    }));
    let freeze = { from: 0, to: 0 };
    const started = Date.now();

    const freezer = (async () => {
      // (After 30 s at the latest, should fewer actions succeed.)
      await Promise.race([actionsDone, sleep(30_000)]);
      window.frozen = true;
      process.kill(jvm, 'SIGSTOP');
      frozen = true;
      freeze = { from: Date.now(), to: 0 };
      await sleep(pauseMs);
      process.kill(jvm, 'SIGCONT');
      frozen = false;
      freeze.to = Date.now();
      window.since = freeze.to;
      window.frozen = false;
    })();
    await runAll(flows, FLOWS, (flow) => driveSignUp(env, flow), STAGGER_MS);
    await freezer;
    const audit = await auditSignUps(stack.endpoints, mail, flows);
    mail.stop();

    const during = answers.filter((answer) => overlaps(answer, freeze.from, freeze.to));
    const unavailable = during.filter(isRetryable503);
    const others = during.filter((answer) => !isRetryLater(answer) && !(answer.status !== null && answer.status >= 200 && answer.status < 300));
    const failed = FLOWS - (audit.statuses.completed ?? 0);
    const problems = flows.flatMap((flow) => flow.problems.map((problem) => `flow ${flow.index} (${flow.id ?? 'no task'}): ${problem.kind}: ${problem.detail}`));
    const describeAnswer = (answer: Answer) => `${answer.route} → ${answer.status ?? `no answer (${answer.error})`}${answer.problem ? ` ${answer.problem}` : ''}${answer.status === 503 ? ` (${answer.contentType}, Retry-After ${answer.retryAfter ?? 'missing'})` : ''} after ${((answer.answeredAt - answer.sentAt) / 1000).toFixed(1)} s`;
    console.log(
      [
        `${label}: ${FLOWS} flows, ${failed} failed, ${unavailable.length} answers 503, ${others.length} other errors ` +
          `(${during.length} answers during the freeze, ${during.length - unavailable.length - others.length} successes; seed ${SEED}, frozen after action ${freezeAfter}, ${((freeze.from - started) / 1000).toFixed(1)} s in; ${Math.round((Date.now() - started) / 1000)} s)`,
        `  statuses ${JSON.stringify(audit.statuses)}; ${flows.filter((flow) => flow.replays.length > 0).length} flows saw a retried request's earlier try applied`,
        ...others.map((answer) => `  other: ${describeAnswer(answer)}`),
        ...problems.map((line) => `  ${line}`),
        ...[...audit.stranded, ...audit.doubleEffects, ...audit.lostEffects].map((line) => `  ${line}`),
      ].join('\n'),
    );
    return { audit, others: others.map(describeAnswer), problems, unavailable: unavailable.length };
  }

  /** Every flow completed, nothing doubled or lost, and every answer during the freeze a success or a retry-later. */
  const expectRidOut = (run: Awaited<ReturnType<typeof signUpsThroughAFreeze>>) =>
    expect({ statuses: run.audit.statuses, others: run.others, problems: run.problems, doubleEffects: run.audit.doubleEffects, lostEffects: run.audit.lostEffects }).toStrictEqual({
      statuses: { completed: FLOWS },
      others: [],
      problems: [],
      doubleEffects: [],
      lostEffects: [],
    });

  it('for 8 s: every task completes; the API answers a success or 503 with Retry-After while it lasts', async () => {
    // Act
    const run = await signUpsThroughAFreeze('SIGSTOP 8 s', 8_000);

    // Assess
    expectRidOut(run);
  }, 5 * 60_000);

  it('for 3 minutes: every task completes; the API answers a success or 503 with Retry-After while it lasts', async () => {
    // Act
    const run = await signUpsThroughAFreeze('SIGSTOP 3 min', 180_000);

    // Assess
    expectRidOut(run);
    // The freeze outlasted the SDK's attempts: the API did answer 503s.
    expect(run.unavailable).toBeGreaterThan(0);
  }, 8 * 60_000);
});
