/**
 * What an emailed link answers a browser when it does not work (any more): what happened, in the
 * words of the error the link's route raised (functions/core/links.ts, token.ts), and what to do
 * next. Only for the link pages: JSON clients keep their problem documents, other pages their own.
 */
import type { ClientError } from '#core/errors';
import { linkTo, type Markup, messageLinkPage } from './layout.ts';

export type LinkKind = 'approval' | 'token';

/** `/v1/approvals/{secret}` or `/v1/tokens/{token}` (behind any stage prefix): a link's page, and which. */
export function linkKindOf(path: string): LinkKind | undefined {
  const match = /\/v1\/(approvals|tokens)\/[^/]+\/?$/.exec(path);
  if (!match) return undefined;
  return match[1] === 'approvals' ? 'approval' : 'token';
}

interface Explained {
  readonly title: string;
  readonly next: readonly (string | Markup)[];
}

const SIGN_IN: Markup = { html: `You can ${linkTo('/console', 'sign in to the Assent console').html} with your account.` };
const NEWEST = 'Look for the newest email about this request: its link is the one that works.';

/** A token that no longer works: what its reader can do. */
const newToken = 'Ask for a new link: ask again for a password reset, or ask whoever invited you, or an admin, to send a new one.';
/** An approval link that no longer works: the decision is out of this approver's hands. */
const notYours = 'Nothing more to do here. If the request still needs you, an admin can send you a new link.';

function explain(error: ClientError, kind: LinkKind): Explained {
  const reason = typeof error.extensions.reason === 'string' ? error.extensions.reason : '';
  switch (error.type) {
    case 'not-found':
      // A link of a task that moved on names it; a link nobody knows does not.
      if (error.extensions.taskStatus !== undefined) return { title: 'This link was already used', next: ['Nothing more to do: it did its job.', SIGN_IN] };
      return { title: 'This link is not valid', next: ['Check that the whole link was copied from the email (links wrap across lines in some mail readers).', kind === 'token' ? newToken : notYours] };
    case 'expired':
      if (/newer/i.test(reason)) return { title: 'A newer link replaced this one', next: [NEWEST] };
      if (error.extensions.expiredAt !== undefined) return { title: 'This link has expired', next: [kind === 'token' ? newToken : notYours] };
      if (/cancelled/i.test(reason)) return { title: 'This request was cancelled', next: ['Nothing more to do: the request was withdrawn or replaced.'] };
      if (/handed your vote/i.test(reason)) return { title: 'You handed your vote over', next: ['Nothing more to do: the person you chose votes in your place.'] };
      return { title: 'This link no longer works', next: [kind === 'token' ? newToken : notYours] };
    case 'already-decided':
      return { title: 'This request was already decided', next: ['Nothing more to do: your vote is no longer needed.'] };
    case 'already-voted':
      return { title: 'You already voted', next: ['Nothing more to do: a vote is cast once.'] };
    case 'concurrent-update':
      return { title: 'One moment', next: ['Reload this page in a few seconds.'] };
    case 'validation-failed':
    case 'bad-request':
      return { title: 'Nothing was changed', next: ['Go back, correct the form and send it again: the link still works.'] };
    case 'unauthorized':
    case 'forbidden':
      return { title: 'Sign-in needed', next: ['Submit this link from a client signed in as the account that asked for it. If you did not ask for this, ignore the email: nothing changes.'] };
    case 'too-many-requests':
      return { title: 'Too many tries', next: ['Wait a little, then try again.'] };
    default:
      return { title: error.title, next: [kind === 'token' ? newToken : notYours] };
  }
}

/** The page a link's route answers a browser with when it raised `error`. */
export function linkErrorPage(error: ClientError, kind: LinkKind): string {
  const { title, next } = explain(error, kind);
  return messageLinkPage(title, 'bad', [error.message], next);
}
