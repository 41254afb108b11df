/**
 * The page of an emailed approval link, written for the approver: what is asked, by whom and when,
 * each action's fields as labelled rows (titled from the task type's input JSON Schema), its
 * validity and notes, where the approval policy stands, and the forms to decide or hand the vote
 * over; then, after a POST, what happened and what comes next.
 */
import type { Task } from '#core/task';
import type * as z from 'zod';
import type { ApprovalProgressSchema } from '../view-schemas.ts';
import { dataRows, humanise, type ObjectSchema } from './fields.ts';
import { escapeHtml, linkPage, messageLinkPage, readableTime, when } from './layout.ts';

type Progress = z.infer<typeof ApprovalProgressSchema>;
type LevelProgress = Progress['levels'][number];

export interface ApprovalPageInput {
  readonly task: Task;
  /** The task type's input as JSON Schema: its properties title the fields. */
  readonly inputSchema: ObjectSchema;
  /** Each action's description, by name (the registry's). */
  readonly actionDescriptions: Readonly<Record<string, string>>;
  readonly validUntil: string;
  readonly progress: Progress | undefined;
}

/** Who asked, in words: the requester's address, else (a public request) that nobody signed in. */
const requesterOf = (task: Task): string => task.createdBy?.email ?? task.createdBy?.sub ?? 'someone who was not signed in (a public request)';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The levels that apply (a level asked for only when an action wants it may be skipped). */
const applying = (progress: Progress) => progress.levels.filter((level) => level.state !== 'skipped');

/** "Level 1 of 2, admins: 0 of 1 approval so far, due …" (no position for a policy of one level). */
function levelLine(progress: Progress, level: LevelProgress): string {
  const levels = applying(progress);
  const position = levels.length > 1 ? `Level ${levels.indexOf(level) + 1} of ${levels.length}, ` : '';
  return `${position}<strong>${escapeHtml(level.name)}</strong>: ${level.approvals} of ${plural(level.quorum, 'approval')} so far${level.due ? `, due ${when(level.due)}` : ''}.`;
}

function progressHtml(progress: Progress | undefined): string {
  const level = progress?.levels.find((known) => known.name === progress.level);
  if (!progress || !level) return '';
  return `<h2>Where the approval stands</h2><p class="progress">${levelLine(progress, level)}</p>`;
}

function actionHtml(action: Task['actions'][number], input: ApprovalPageInput): string {
  const description = input.actionDescriptions[action.name];
  const validity = action.valid
    ? '<p class="ok">Its checks passed.</p>'
    : '<div class="notice bad"><p>Its checks failed: approving it may not do what was asked. Read the notes.</p></div>';
  const notes = action.notes.length === 0 ? '' : `<h3>Notes</h3><ul>${action.notes.map((note) => `<li>${escapeHtml(note.text)}</li>`).join('')}</ul>`;
  return `<section aria-label="${escapeHtml(humanise(action.name))}"><h2>${escapeHtml(humanise(action.name))}</h2>${description ? `<p class="muted">${escapeHtml(description)}</p>` : ''}
${dataRows(action.data, input.inputSchema)}${validity}${notes}</section>`;
}

export function approvalPage(input: ApprovalPageInput): string {
  const { task } = input;
  return linkPage({
    title: `Do you approve this ${task.type}?`,
    body: `<p>Asked by ${escapeHtml(requesterOf(task))} at ${when(task.createdAt)}. Task <code>${escapeHtml(task.id)}</code>.</p>
${task.actions.map((action) => actionHtml(action, input)).join('\n')}
${progressHtml(input.progress)}
<form method="post" aria-labelledby="decide-heading"><h2 id="decide-heading">Your decision</h2>
<label for="reason">Reason</label><span class="hint" id="reason-hint">Optional. If you reject, the requester reads it.</span>
<textarea id="reason" name="reason" rows="3" maxlength="2000" aria-describedby="reason-hint"></textarea>
<div class="actions"><button name="decision" value="approve" type="submit">Approve</button><button name="decision" value="reject" type="submit" class="danger">Reject</button></div></form>
<form method="post" aria-labelledby="delegate-heading"><h2 id="delegate-heading">Or hand your vote to someone else</h2><input type="hidden" name="decision" value="delegate">
<label for="to">Their email address</label><span class="hint" id="to-hint">They get a link of their own; yours then stops working.</span>
<input id="to" name="to" type="email" required maxlength="254" autocomplete="email" aria-describedby="to-hint">
<label for="delegate-reason">Why</label><span class="hint" id="delegate-reason-hint">Optional; they read it.</span>
<input id="delegate-reason" name="reason" type="text" maxlength="2000" aria-describedby="delegate-reason-hint">
<div class="actions"><button type="submit" class="secondary">Hand over my vote</button></div></form>
<p class="note">This link casts your vote once, until ${when(input.validUntil)}. Opening it changes nothing.</p>`,
  });
}

export interface DecidedPageInput {
  readonly task: Task;
  readonly decision: 'approve' | 'reject';
  readonly progress: Progress | undefined;
  /** The name of the level the link voted at, when the task has a policy. */
  readonly votedAt: string | undefined;
}

/** What a vote through the link did: the task decided, or the vote counted and what the approval still needs. */
export function decidedPage({ task, decision, progress, votedAt }: DecidedPageInput): string {
  if (task.status === 'rejected') {
    return messageLinkPage('You rejected the request', 'good', [`Task ${task.id} (${task.type}) is rejected.`], ['Nothing more to do: the requester is told by email, with your reason if you gave one.']);
  }
  if (task.status !== 'pending') {
    return messageLinkPage('You approved the request', 'good', [`Task ${task.id} (${task.type}) is approved.`], ['Nothing more to do: Assent now carries out the request, and the requester hears by email when it is done.']);
  }
  const counted = decision === 'approve' ? 'Your approval is counted.' : 'Your rejection is counted.';
  const voted = progress?.levels.find((level) => level.name === votedAt);
  const open = progress?.levels.find((level) => level.name === progress.level);
  const lines = [counted];
  if (progress && open && voted && open !== voted) {
    lines.push(`Level ${voted.name} is complete; the task now waits for level ${open.name}, which needs ${plural(open.quorum, 'approval')}.`);
  } else if (open) {
    const missing = Math.max(open.quorum - open.approvals, 0);
    lines.push(`Level ${open.name} has ${open.approvals} of ${plural(open.quorum, 'approval')}${missing > 0 ? `: it still needs ${plural(missing, 'more approval')}${open.due ? ` by ${readableTime(open.due)}` : ''}` : ''}.`);
  }
  return messageLinkPage('Your vote is counted', 'good', lines, ['Nothing more to do: the task waits for the other approvers, and the requester hears by email once it is decided.']);
}

/** What handing the vote over did. */
export const delegatedPage = (task: Task, to: string): string =>
  messageLinkPage('Your vote is handed over', 'good', [`${to} got an email with a link to vote on task ${task.id} in your place.`], ['Nothing more to do: your link no longer works.']);
