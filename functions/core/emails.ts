import nunjucks from 'nunjucks';
import type { EmailStage } from './task-type.ts';

const textEnv = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
const htmlEnv = new nunjucks.Environment(null, { autoescape: true, throwOnUndefined: true });

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

/** Renders a stage's subject, text and HTML templates with nunjucks. */
export function renderEmail(stage: EmailStage, context: Record<string, unknown>): RenderedEmail {
  const subject = textEnv.renderString(stage.subject, context).trim();
  const text = textEnv.renderString(stage.text, context);
  const html = stage.html === undefined ? undefined : htmlEnv.renderString(stage.html, context);
  return html === undefined ? { subject, text } : { subject, text, html };
}
