/**
 * Benchmark 5: what a browser downloads to open the console (issue 14: "the bench reports the
 * console's page weight"): its page as GET /console answers it, its script and its style sheet,
 * each as sent (the API compresses nothing) and gzipped (what a CDN in front would send). No
 * framework: the figures are the console's own code.
 */
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { CONSOLE_ASSETS, consoleAsset, type ConsoleAssetName } from '../functions/console-assets.ts';
import type { HttpRequest } from '../functions/http/http-types.ts';
import { showConsole } from '../functions/http/console.ts';
import { fmt, type Table } from './table.ts';

export interface WeightRow {
  readonly file: string;
  readonly bytes: number;
  readonly gzip: number;
  readonly brotli: number;
}

const weigh = (file: string, body: string): WeightRow => {
  const raw = Buffer.from(body);
  return { file, bytes: raw.length, gzip: gzipSync(raw, { level: 9 }).length, brotli: brotliCompressSync(raw).length };
};

export async function measureConsoleWeight(): Promise<WeightRow[]> {
  const page = await showConsole({ app: { env: { userPoolId: 'us-east-1_example', jwtAudience: ['example-client'] } } } as unknown as HttpRequest);
  const rows = [weigh('GET /console (the page)', String(page.body)), ...(Object.keys(CONSOLE_ASSETS) as ConsoleAssetName[]).map((name) => weigh(`/console/${name}`, consoleAsset(name).body))];
  const total = rows.reduce((sum, row) => ({ file: 'total (3 requests)', bytes: sum.bytes + row.bytes, gzip: sum.gzip + row.gzip, brotli: sum.brotli + row.brotli }), { file: '', bytes: 0, gzip: 0, brotli: 0 });
  return [...rows, total];
}

export function consoleWeightTable(rows: readonly WeightRow[]): Table {
  const kib = (bytes: number) => `${fmt(bytes / 1024, 1)} KiB`;
  return {
    title: '5. Console page weight: what a browser downloads to open /console',
    headers: ['file', 'as sent', 'gzip -9', 'brotli'],
    rows: rows.map((row) => [row.file, kib(row.bytes), kib(row.gzip), kib(row.brotli)]),
    notes: ['No framework and no third-party code: the page, functions/console/console.client.js and console.css. The script and style sheet are revalidated by ETag (304 when unchanged).'],
  };
}
