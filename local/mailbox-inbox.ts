/**
 * The local web inbox (aws-ses-v2-local's page at `/`) with one change: an email's HTML view opens
 * its links in a new tab. The page writes each HTML email into an iframe of its own, where a link
 * would load Assent's pages inside that frame, and they refuse to be framed (`frame-ancestors
 * 'none'`, `X-Frame-Options: DENY`): a `<base target="_blank">` in each email's frame sends every
 * link to a tab of its own instead.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The line of the emulator's page that writes an email's HTML into its frame. */
export const FRAME_WRITE = 'iframeDoc.body.innerHTML = e.body.html;';
const NEW_TABS = `${FRAME_WRITE} iframeDoc.head.insertAdjacentHTML('afterbegin', '<base target="_blank">');`;

/** `source` (the emulator's page) with links of HTML emails opening in new tabs, or undefined when the page no longer has the line this changes. */
export function inboxWithLinksInNewTabs(source: string): string | undefined {
  return source.includes(FRAME_WRITE) ? source.replace(FRAME_WRITE, NEW_TABS) : undefined;
}

/** The emulator's own page, as its package ships it. */
export function emulatorInboxPage(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve('aws-ses-v2-local/static/index.html'), 'utf8');
}
