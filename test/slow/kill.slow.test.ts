import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/ports.ts';
import { type KillableStack, startKillableStack } from '../support/killable-stack.ts';
import { MailWatcher } from '../support/mail-watcher.ts';
import { OutageClient } from '../support/outage-client.ts';
import { seededRandom, seedFrom } from '../support/seeded-random.ts';
import { auditSignUps, executionsStillRunning } from '../support/sign-up-audit.ts';
import { driveSignUp, type FlowEnvironment, type ProblemKind, runAll, type SignUpFlow } from '../support/sign-ups-through-faults.ts';

/**
 * `kill -9` of the whole local stack (its process group: the API, the steps, the Step Functions
 * runner, the outbox and reconciler, and DynamoDB Local's JVM) at random points of 200 sign-ups,
 * restarted on the same data after each kill, as a crash or an OOM kill would leave it. Every flow
 * is driven to its end by a client that sends again what got no answer. At the end no task is
 * stranded, nothing happened twice (one task, one project, one account per sign-up; a stage's email
 * once, or again only where a wait run again after a kill recorded that it resends, since SES cannot
 * be asked whether the first went), and no emailed link was burnt. Prints its counts and its seed:
 * ASSENT_KILL_SEED=<seed> replays the same kill times and approval paths (the timing of the
 * requests themselves is not replayable).
 */
const FLOWS = Number(process.env.ASSENT_KILL_FLOWS ?? 200);
const KILLS = Number(process.env.ASSENT_KILLS ?? 7);
const CONCURRENCY = 40;
/** The first 40 flows start this far apart, so that the kills find flows at every stage. */
const STAGGER_MS = 100;
const SEED = seedFrom('ASSENT_KILL_SEED');
/** The reconciler every 2 s, checking tasks unchanged for 15 s: what a kill strands is seen within the flows' quiet period. */
const STACK_ENV = { ASSENT_RECONCILE_SECONDS: '2', ASSENT_RECONCILE_GRACE_SECONDS: '15' };
/** A wait that sees no progress for this long while the stack is up gives up (a stranded task). */
const QUIET_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('kill -9 of the local stack during 200 sign-ups', () => {
  const home = mkdtempSync(join(tmpdir(), 'assent-kill-'));
  let stack: KillableStack | undefined;

  afterAll(async () => {
    await stack?.stop();
    // ASSENT_TEST_KEEP_HOME=1 keeps the tables, executions and mailbox to look into a failure.
    if (process.env.ASSENT_TEST_KEEP_HOME === '1') console.log(`kept ${home}`);
    else rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('drives every sign-up to its end: no stranded task, no double effect, no burnt link', async () => {
    // Prepare: fixed ports and one ASSENT_HOME, so emailed links work across restarts.
    const random = seededRandom(SEED);
    const ports = { PORT: String(await freePort()), MAIL_PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()), SFN_PORT: String(await freePort()), EVENTS_PORT: String(await freePort()), COGNITO_PORT: String(await freePort()) };
    stack = await startKillableStack(home, ports, STACK_ENV);
    const { endpoints } = stack;
    const window = { up: true, since: Date.now() };
    const client = new OutageClient({ api: endpoints.api, adminToken: endpoints.adminToken });
    const mail = new MailWatcher(endpoints.mailbox, 1_000);
    mail.start();
    const env: FlowEnvironment = { client, mail, faults: { isUp: () => window.up, upSince: () => window.since }, quietMs: QUIET_MS };
    const flows: SignUpFlow[] = Array.from({ length: FLOWS }, (_, index) => ({
      index,
      email: `kill-${SEED}-${index}@example.com`,
      projectName: `kill-${SEED}-${index}`,
      approveBy: random.pick(['link', 'admin'] as const),
      problems: [],
      replays: [],
    }));
    const kills: { afterMs: number; cut: number; downMs: number }[] = [];
    let flowsDone = false;
    const started = Date.now();

    // Act: the flows run; meanwhile the stack is killed 1-3 s after each start, KILLS times.
    const killing = (async () => {
      while (kills.length < KILLS && !flowsDone) {
        const afterMs = random.int(1_000, 3_000);
        await sleep(afterMs);
        if (flowsDone || !stack) break;
        const cut = client.inFlight;
        const down = Date.now();
        window.up = false;
        await stack.kill9();
        // What each run of the stack printed (its request and state log with ASSENT_TEST_VERBOSE=1), kept with ASSENT_TEST_KEEP_HOME=1.
        appendFileSync(join(home, 'stack-runs.log'), `${stack.output.join('')}\n---- kill -9 ${kills.length + 1} at ${new Date().toISOString()}\n`);
        stack = await startKillableStack(home, ports, STACK_ENV);
        window.since = Date.now();
        window.up = true;
        kills.push({ afterMs, cut, downMs: Date.now() - down });
      }
    })();
    // A stack that does not start again fails the test at once (the flows would wait for it).
    await Promise.race([runAll(flows, CONCURRENCY, (flow) => driveSignUp(env, flow), STAGGER_MS), killing.then(() => new Promise<never>(() => undefined))]);
    flowsDone = true;
    await killing;
    const running = await executionsStillRunning(stack.endpoints, 30_000);
    const audit = await auditSignUps(stack.endpoints, mail, flows);
    mail.stop();
    const problems = flows.flatMap((flow) => flow.problems.map((problem) => ({ ...problem, flow: flow.index, id: flow.id })));
    const count = (kind: ProblemKind) => problems.filter((problem) => problem.kind === kind).length;
    const stranded = FLOWS - (audit.statuses.completed ?? 0);
    console.log(
      [
        `kill -9: ${FLOWS} flows, ${kills.length} kills (${kills.reduce((sum, kill) => sum + kill.cut, 0)} requests cut, ${kills.map((kill) => `${(kill.downMs / 1000).toFixed(1)} s`).join(' ')} down), ` +
          `${stranded} stranded, ${audit.doubleEffects.length} double effects, ${audit.lostEffects.length} lost effects, ${count('burnt-link')} burnt links, ${audit.resends} emails resent after a kill (recorded), ` +
          `${count('stuck-idempotency-key')} stuck idempotency keys, ${running.length} executions still running (seed ${SEED}, ${Math.round((Date.now() - started) / 1000)} s)`,
        `  statuses ${JSON.stringify(audit.statuses)}; ${flows.filter((flow) => flow.replays.length > 0).length} flows saw a retried request's earlier try applied`,
        ...problems.map((problem) => `  flow ${problem.flow} (${problem.id ?? 'no task'}): ${problem.kind}: ${problem.detail}`),
        ...[...audit.stranded, ...audit.doubleEffects, ...audit.lostEffects].map((line) => `  ${line}`),
        ...(running.length > 0 ? [`  still running: ${running.join(', ')}`] : []),
      ].join('\n'),
    );

    // Assess
    expect(kills.length).toBe(KILLS);
    expect({ stranded: audit.stranded, doubleEffects: audit.doubleEffects, lostEffects: audit.lostEffects, problems, running }).toStrictEqual({
      stranded: [],
      doubleEffects: [],
      lostEffects: [],
      problems: [],
      running: [],
    });
    expect(audit.statuses).toStrictEqual({ completed: FLOWS });
  }, 15 * 60_000);
});
