import type { EmailStage } from './task-type.ts';
import { renderTemplate } from './template.ts';

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

/** Renders a stage's subject, text and HTML templates (core/template.ts); only HTML is escaped. */
export function renderEmail(stage: EmailStage, context: Record<string, unknown>): RenderedEmail {
  const subject = renderTemplate(stage.subject, context, { autoescape: false }).trim();
  const text = renderTemplate(stage.text, context, { autoescape: false });
  const html = stage.html === undefined ? undefined : renderTemplate(stage.html, context, { autoescape: true });
  return html === undefined ? { subject, text } : { subject, text, html };
}
