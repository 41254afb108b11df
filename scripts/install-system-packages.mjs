#!/usr/bin/env node
/**
 * The Debian packages the project needs besides npm's: Java 17+ (DynamoDB Local runs on it) and
 * Chromium (the browser tests drive it through playwright-core). Run by `npm install` (postinstall),
 * before DynamoDB Local is fetched. Idempotent: installs only what is missing. As root on Debian
 * (CI, a fresh machine) it runs apt-get; anywhere else it says what to install and goes on, so an
 * install never fails for it. `ASSENT_SKIP_SYSTEM_PACKAGES=1` skips it (a machine that provides them
 * otherwise).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Debian's chromium package puts its binary (the browser tests launch it from there). */
export const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const chromiumPath = () => CHROMIUM_PATHS.find((path) => existsSync(path));

function javaMajor() {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return 0;
  const match = /version "(\d+)/.exec(result.stderr);
  return match ? Number(match[1]) : 0;
}

/** The packages to install: each with why, for the message. */
function missing() {
  const needs = [];
  if (javaMajor() < 17) needs.push({ name: 'openjdk-17-jre-headless', why: 'Java 17+ runs DynamoDB Local' });
  if (!chromiumPath()) needs.push({ name: 'chromium', why: 'the browser tests drive Chromium' }, { name: 'fonts-liberation', why: 'readable pages in screenshots' });
  return needs;
}

function main() {
  if (process.env.ASSENT_SKIP_SYSTEM_PACKAGES === '1') return;
  const needs = missing();
  if (needs.length === 0) return;
  const names = needs.map((need) => need.name);
  const canInstall = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.warn(`assent: missing system packages: ${needs.map((need) => `${need.name} (${need.why})`).join(', ')}.\n  On Debian: sudo apt-get install -y ${names.join(' ')}`);
    return;
  }
  console.log(`assent: installing Debian's ${names.join(', ')} (${needs.map((need) => need.why).join('; ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { stdio: 'inherit', env }) : update;
  if (install.status !== 0) console.warn(`assent: apt-get could not install ${names.join(' ')} (exit ${install.status}); install them by hand.`);
}

main();
