import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * cognito-local's data files, written through local/cognito/atomic-writes.cjs (preloaded into its
 * process): whole and in order, and still readable after the process is killed in the middle of
 * its writes, as `kill -9` of the local stack does.
 */
const PRELOAD = join(process.cwd(), 'local/cognito/atomic-writes.cjs');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'assent-cognito-writes-'));
  mkdirSync(join(dir, 'db'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const node = (script: string) => [process.execPath, ['--require', PRELOAD, '-e', script], { env: { ...process.env, NODE_OPTIONS: '', ASSENT_COGNITO_DATA: dir } }] as const;

const parses = (file: string): boolean => {
  try {
    return typeof JSON.parse(readFileSync(file, 'utf8')).n === 'number';
  } catch {
    return false;
  }
};

describe('atomic-writes.cjs', () => {
  it('lands the last of many async writes of a data file whole, sync ones too, leaves no temp file, and leaves other files alone', () => {
    // Act
    const script = `const fs = require('fs');
      for (let n = 0; n < 100; n++) fs.writeFile(${JSON.stringify(join(dir, 'db', 'a.json'))}, JSON.stringify({ n, pad: 'x'.repeat(n * 100) }), () => undefined);
      fs.writeFileSync(${JSON.stringify(join(dir, 'db', 'b.json'))}, '{"sync":true}');
      fs.writeFileSync(${JSON.stringify(join(dir, 'c.txt'))}, 'plain');`;
    const [command, args, options] = node(script);
    const run = spawnSync(command, args, options);

    // Assess
    expect([run.status, String(run.stderr)]).toStrictEqual([0, '']);
    expect(JSON.parse(readFileSync(join(dir, 'db', 'a.json'), 'utf8')).n).toBe(99);
    expect([readFileSync(join(dir, 'db', 'b.json'), 'utf8'), readFileSync(join(dir, 'c.txt'), 'utf8')]).toStrictEqual(['{"sync":true}', 'plain']);
    expect(readdirSync(join(dir, 'db')).sort()).toStrictEqual(['a.json', 'b.json']);
  });

  it('leaves a data file readable however the process is killed while it rewrites it', async () => {
    // Act: five processes each rewrite a 20 MB file without pause (nearly always mid-write), killed (SIGKILL) after 300-600 ms.
    const reads: boolean[] = [];
    for (let round = 0; round < 5; round++) {
      const file = join(dir, 'db', 'pool.json');
      const script = `const fs = require('fs'); const pad = 'x'.repeat(2e7); let n = 0; const next = () => fs.writeFile(${JSON.stringify(file)}, '{"n":' + n++ + ',"pad":"' + pad + '"}', next); next();`;
      const [command, args, options] = node(script);
      const child = spawn(command, args, options);
      await new Promise((resolve) => setTimeout(resolve, 300 + round * 75));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      reads.push(existsSync(file) && parses(file));
    }

    // Assess
    expect(reads).toStrictEqual([true, true, true, true, true]);
  });
});
