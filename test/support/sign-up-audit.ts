import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { localClient } from '../../local/dynamodb/dynamodb-local.ts';
import { localDirectory } from './local-directory.ts';
import type { MailWatcher } from './mail-watcher.ts';
import { approvalSubject, completedSubject, isAbout, type SignUpFlow, tokenSubject } from './sign-ups-through-faults.ts';
import type { Endpoints } from './stack.ts';

/**
 * What a run of sign-ups left behind, read from the stack's table (tasks, the directory's projects
 * and name claims), its user pool (the owners) and its mailbox, checked per sign-up: one task, one project under its name,
 * one enabled owner with a password, and one approval, token and completed email.
 */
export interface SignUpAudit {
  /** Task statuses at the end, counted. */
  readonly statuses: Record<string, number>;
  /** Sign-ups whose task is not completed (still open, or ended otherwise: failed...): `<id>: <status>`, why it failed, what it waits for. */
  readonly stranded: string[];
  /**
   * Effects there are more of than one: a second task or project, or a stage's email more often than
   * once plus the resends the task recorded (a wait run again after a crash, which cannot know whether
   * its first run's email went, records that it sends again: the only second email allowed).
   */
  readonly doubleEffects: string[];
  /** Stage emails sent again after a crash, as the tasks recorded them (`resentEmails`). */
  readonly resends: number;
  /** Effects that are missing for a completed task: its project, its owner, an email. */
  readonly lostEffects: string[];
}

type Item = Record<string, any>;

async function scanAll(endpoints: Endpoints): Promise<Item[]> {
  const client = DynamoDBDocumentClient.from(localClient(endpoints.services.dynamodb));
  try {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: endpoints.services.tableName, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
      items.push(...((page.Items ?? []) as Item[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  } finally {
    client.destroy();
  }
}

const countBy = <T>(items: readonly T[], key: (item: T) => string | undefined) => {
  const counts = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    if (name !== undefined) counts.set(name, [...(counts.get(name) ?? []), item]);
  }
  return counts;
};

export async function auditSignUps(endpoints: Endpoints, mail: MailWatcher, flows: readonly SignUpFlow[]): Promise<SignUpAudit> {
  const items = await scanAll(endpoints);
  const emails = await mail.read();
  const tasks = items.filter((item) => String(item.pk).startsWith('TASK#') && item.type === 'sign-up');
  const tasksByProject = countBy(tasks, (task) => task.actions?.[0]?.data?.projectName);
  const projectsByName = countBy(items.filter((item) => String(item.pk).startsWith('PROJECT#')), (project) => project.name);
  const claims = new Map(items.filter((item) => String(item.pk).startsWith('PROJECTNAME#')).map((claim) => [String(claim.pk).slice('PROJECTNAME#'.length), String(claim.projectId)]));
  const directory = localDirectory(endpoints);

  const statuses: Record<string, number> = {};
  const stranded: string[] = [];
  const doubleEffects: string[] = [];
  const lostEffects: string[] = [];
  let resends = 0;
  for (const flow of flows) {
    const own = tasksByProject.get(flow.projectName) ?? [];
    if (own.length > 1) doubleEffects.push(`${flow.projectName}: ${own.length} tasks (${own.map((task) => `${task.id} ${task.status}`).join(', ')})`);
    const task = own.find((candidate) => candidate.id === flow.id) ?? own[0];
    if (!task) {
      stranded.push(`${flow.projectName}: no task (the flow saw ${flow.id ?? 'no id'})`);
      continue;
    }
    statuses[task.status] = (statuses[task.status] ?? 0) + 1;
    if (task.status !== 'completed') {
      const failure = task.failure ? ` in ${task.failure.step}: ${task.failure.error}: ${task.failure.cause}` : '';
      const wait = task.wait ? `, waiting for ${task.wait.kind} round ${task.wait.round}` : '';
      const history = task.history.map((entry: Item) => `${entry.event} ${String(entry.at).slice(11, 23)}`).join(' → ');
      stranded.push(`${task.id} (${flow.projectName}): ${task.status}${failure}${wait}${task.tokenUse ? ', token used' : ''}; history ${history}; sent ${JSON.stringify(task.sentEmails)}`);
    }
    const projects = projectsByName.get(flow.projectName) ?? [];
    if (projects.length > 1) doubleEffects.push(`${task.id}: ${projects.length} projects named ${flow.projectName} (${projects.map((project) => project.id).join(', ')})`);
    const about = emails.filter((email) => isAbout(email, task.id));
    const stages = {
      approval: about.filter((email) => email.subject === approvalSubject(task.id)).length,
      token: about.filter((email) => email.subject === tokenSubject(flow.projectName)).length,
      completed: about.filter((email) => email.subject === completedSubject(flow.projectName)).length,
    };
    const resent = (stage: string): number => (task.resentEmails ?? []).filter((entry: Item) => entry.stage === stage).length;
    resends += (task.resentEmails ?? []).length;
    for (const [stage, count] of Object.entries(stages)) {
      if (count > 1 + resent(stage)) doubleEffects.push(`${task.id}: ${count} ${stage} emails (${resent(stage)} resends recorded)`);
    }
    if (task.status !== 'completed') continue;
    const user = await directory.findUser(flow.email);
    const project = projects[0];
    if (!project) lostEffects.push(`${task.id}: completed without a project named ${flow.projectName}`);
    else if (claims.get(flow.projectName) !== project.id) lostEffects.push(`${task.id}: the name ${flow.projectName} is claimed for ${claims.get(flow.projectName)}, not ${project.id}`);
    if (!user?.enabled || !user.hasPassword || user.projectId !== project?.id) lostEffects.push(`${task.id}: owner ${flow.email} is ${JSON.stringify(user && { enabled: user.enabled, password: Boolean(user.hasPassword), projectId: user.projectId })}`);
    for (const [stage, count] of Object.entries(stages)) {
      if (count === 0) lostEffects.push(`${task.id}: completed, and no ${stage} email`);
    }
  }
  return { statuses, stranded, doubleEffects, lostEffects, resends };
}

/**
 * Waits (up to `timeoutMs`) for every execution of the stack's state machine to end, as they do
 * once their tasks are done; answers the names of those still running then.
 */
export async function executionsStillRunning(endpoints: Endpoints, timeoutMs: number): Promise<string[]> {
  const sfn = new SFNClient({ endpoint: endpoints.services.sfn, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const names: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: endpoints.services.stateMachineArn, statusFilter: 'RUNNING', maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
        names.push(...(page.executions ?? []).map((execution) => execution.name ?? '?'));
        nextToken = page.nextToken;
      } while (nextToken);
      if (names.length === 0 || Date.now() > deadline) return names.sort();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  } finally {
    sfn.destroy();
  }
}
