/**
 * The local mailbox: aws-ses-v2-local (SES's API, a web inbox, its JSON at `/store`), whose mails
 * are kept in `<ASSENT_HOME>/mailbox.jsonl` so a restart shows the mails sent before it. The emulator
 * keeps mails in memory only; this loads the file into its store before it listens, and after every
 * request it answered writes what changed: new mails are appended, and `POST /clear-store` (a new,
 * empty list) empties the file too. SES templates are not kept (Assent renders its own mails). Its
 * web inbox is served with links of HTML emails opening in new tabs (local/mailbox-inbox.ts).
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Email, Store } from 'aws-ses-v2-local/dist/store.js';
import { PortInUseError } from './errors.ts';
import { emulatorInboxPage, FRAME_WRITE, inboxWithLinksInNewTabs } from './mailbox-inbox.ts';

// One require for both, so the server and this file see the same module instance of the store.
const require = createRequire(import.meta.url);
const startEmulator = (require('aws-ses-v2-local') as { default: (config: { host: string; port: number }) => Promise<Server> }).default;
const { getStoreReadonly } = require('aws-ses-v2-local/dist/store.js') as { getStoreReadonly: () => Readonly<Store> };

export interface MailboxOptions {
  readonly host: string;
  readonly port: number;
  /** Where mails are kept, one JSON object a line (`<ASSENT_HOME>/mailbox.jsonl`). */
  readonly file: string;
}

export interface Mailbox {
  /** `http://<host>:<port>`: SES's endpoint, the web inbox, and `/store`. */
  readonly url: string;
  /** How many mails were read back from the file at start. */
  readonly restored: number;
  close(): Promise<void>;
}

/** The mails of the file; a line that does not parse (cut short by a crash) is skipped. */
function readMails(file: string): Email[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Email];
      } catch {
        return [];
      }
    });
}

const lines = (emails: readonly Email[]) => emails.map((email) => `${JSON.stringify(email)}\n`).join('');

/**
 * Answers `GET /` with the emulator's inbox whose HTML emails open links in new tabs; everything
 * else goes to the emulator. Should a new version of the emulator change its page, the page is
 * served as it is, and a warning says what to update.
 */
function serveInbox(server: Server): void {
  const page = inboxWithLinksInNewTabs(emulatorInboxPage());
  if (page === undefined) {
    process.emitWarning(`aws-ses-v2-local's inbox page no longer has "${FRAME_WRITE}": links in its HTML view open inside the frame, which Assent's pages refuse. Update local/mailbox-inbox.ts.`);
    return;
  }
  const emulator = server.listeners('request') as ((request: IncomingMessage, response: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method === 'GET' && path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(page);
      return;
    }
    for (const listener of emulator) listener.call(server, request, response);
  });
}

/** Starts the SES emulator on `host:port` with the mails of `file`, and keeps `file` up to date. */
export async function startMailbox(options: MailboxOptions): Promise<Mailbox> {
  const restored = readMails(options.file);
  let known = getStoreReadonly().emails;
  known.splice(0, known.length, ...restored);
  let written = known.length;
  writeFileSync(options.file, lines(known), { mode: 0o600 });

  const sync = () => {
    const emails = getStoreReadonly().emails;
    if (emails === known && emails.length === written) return;
    if (emails !== known || emails.length < written) writeFileSync(options.file, lines(emails));
    else appendFileSync(options.file, lines(emails.slice(written)));
    known = emails;
    written = emails.length;
  };

  const server = await startEmulator({ host: options.host, port: options.port });
  // Express 5 calls back on a failed listen too: nothing listens then.
  if (!server.listening) throw new PortInUseError('MAIL_PORT', options.port);
  serveInbox(server);
  server.on('request', (_request, response) => response.once('finish', sync));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}`,
    restored: restored.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
