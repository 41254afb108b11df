/**
 * The frame of the pages people reach from an emailed link (approval and token links, and what
 * those links answer when they no longer work): the console's look (its style sheet,
 * `/console/console.css`, from this origin), a banner, one main landmark, no script.
 */
import { escapeHtml } from '../pages.ts';

export { escapeHtml };

/** Where the shared style sheet is served (functions/http/console.ts). */
export const STYLE_SHEET = '/console/console.css';

export interface LinkPageInput {
  /** The page's one heading, also its title. */
  readonly title: string;
  /** HTML, already escaped. */
  readonly body: string;
}

export function linkPage({ title, body }: LinkPageInput): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)} · Assent</title>
<link rel="stylesheet" href="${STYLE_SHEET}"></head>
<body><header class="bar"><span class="brand">Assent</span></header>
<main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}

/** A box that says what happened (`good`, `bad` or plain), with an optional list of next steps. */
export function notice(kind: 'good' | 'bad' | 'plain', lines: readonly string[]): string {
  const paragraphs = lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('');
  return `<div class="notice${kind === 'plain' ? '' : ` ${kind}`}" role="status">${paragraphs}</div>`;
}

/** HTML that is already escaped (built from escaped parts), as opposed to text to escape. */
export interface Markup {
  readonly html: string;
}

/** A link inside a line of text. */
export const linkTo = (href: string, label: string): Markup => ({ html: `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>` });

/** Text and markup as one line: strings are escaped, markup is kept. */
export const line = (...parts: readonly (string | Markup)[]): Markup => ({ html: parts.map((part) => (typeof part === 'string' ? escapeHtml(part) : part.html)).join('') });

/** A short page saying what happened and what to do next (each a paragraph; text is escaped). */
export function messageLinkPage(title: string, kind: 'good' | 'bad' | 'plain', happened: readonly string[], next: readonly (string | Markup)[] = []): string {
  const nextSteps = next.length === 0 ? '' : `<h2>What to do next</h2>${next.map((step) => `<p>${line(step).html}</p>`).join('')}`;
  return linkPage({ title, body: `${notice(kind, happened)}${nextSteps}` });
}

/** A date and time as people read it: `2026-03-01 14:05 UTC` (the text as given when it is no date). */
export function readableTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 16)} UTC`;
}

/** {@link readableTime} inside a `<time>` that keeps the exact instant. */
export function when(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return escapeHtml(iso);
  return `<time datetime="${escapeHtml(date.toISOString())}">${escapeHtml(readableTime(iso))}</time>`;
}
