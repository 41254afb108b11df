#!/usr/bin/env node
/**
 * Installs DynamoDB Local (AWS's own jar) for the local stack and the tests. It ships inside the npm
 * package `amplify-dynamodb-simulator` under `emulator/`; `npm pack` fetches just that tarball from
 * the npm registry, without the package's heavy dependencies. Idempotent: skips when the jar is there.
 * Run by `npm install` (postinstall); Java 17+ is needed to run the jar, and is checked here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const dynamoDbLocalDir = join(root, 'node_modules', '.cache', 'dynamodb-local');

function checkJava() {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    console.warn('assent: Java was not found. DynamoDB Local needs Java 17 or newer: on Debian, `apt-get install -y openjdk-17-jre-headless`.');
    return;
  }
  const match = /version "(\d+)/.exec(result.stderr);
  const major = match ? Number(match[1]) : 0;
  if (major < 17) console.warn(`assent: Java ${major} found; DynamoDB Local needs Java 17 or newer.`);
}

/** Compiles the loopback launcher once, so each start skips Java's source-file compilation (~4 s). */
function compileLauncher() {
  const out = join(dynamoDbLocalDir, 'launcher');
  if (existsSync(join(out, 'LoopbackDynamoDBLocal.class'))) return;
  const classpath = `${join(dynamoDbLocalDir, 'DynamoDBLocal.jar')}:${join(dynamoDbLocalDir, 'DynamoDBLocal_lib', '*')}`;
  const result = spawnSync('javac', ['-d', out, '-cp', classpath, join(root, 'local', 'dynamodb', 'LoopbackDynamoDBLocal.java')], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    console.warn('assent: javac is not available; DynamoDB Local will start through the source launcher (a few seconds slower).');
  }
}

function install() {
  if (existsSync(join(dynamoDbLocalDir, 'DynamoDBLocal.jar'))) return;
  console.log(`assent: installing DynamoDB Local from the npm package ${PACKAGE} ...`);
  const work = mkdtempSync(join(tmpdir(), 'assent-ddb-'));
  try {
    execFileSync('npm', ['pack', PACKAGE, '--silent'], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${PACKAGE} produced no tarball`);
    execFileSync('tar', ['xzf', tarball, 'package/emulator'], { cwd: work });
    mkdirSync(dirname(dynamoDbLocalDir), { recursive: true });
    rmSync(dynamoDbLocalDir, { recursive: true, force: true });
    renameSync(join(work, 'package', 'emulator'), dynamoDbLocalDir);
    console.log(`assent: DynamoDB Local installed in ${dynamoDbLocalDir}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  checkJava();
  install();
  compileLauncher();
}
