import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (npm install puts it there:
 * scripts/install-system-packages.mjs), one browser per test file; pages at the console's two
 * widths; an axe-core check; screenshots kept in test-artifacts/screenshots as artefacts (never
 * compared pixel by pixel).
 */

/** The widths the console and the emailed pages are checked at: a laptop and a phone. */
export const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
export type Width = keyof typeof WIDTHS;

/** Where Debian's chromium package puts its binary (as scripts/install-system-packages.mjs looks for it). */
const chromiumPath = () => ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

export const SCREENSHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error("Debian's Chromium is not installed: `npm install` installs it as root (scripts/install-system-packages.mjs); elsewhere `sudo apt-get install -y chromium`.");
  // Root (CI) cannot use Chromium's sandbox; the pages tested are the project's own.
  return chromium.launch({ executablePath, args: ['--no-sandbox'] });
}

/** One browser for the test file: launched before its tests, closed after them. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('The browser is not launched yet');
    return browser;
  };
}

/** A new page in a context of its own (its own sessionStorage) at that width. */
export async function newPage(browser: Browser, width: Width): Promise<Page> {
  const context = await browser.newContext({ viewport: WIDTHS[width] });
  return context.newPage();
}

/** Saves a screenshot of the whole page as an artefact; answers its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const axeSource = (): string => (createRequire(import.meta.url)('axe-core') as { source: string }).source;

/** One axe-core finding, as the tests report it. */
export interface AxeFinding {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: string[];
}

/**
 * The page's accessibility violations of impact serious or critical (axe-core's WCAG 2.x A and AA
 * rules, and its best practices), each with the elements it found. Injected as a script, so a
 * page's strict CSP is set aside for it: Playwright's `addScriptTag` would be refused by it.
 */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(axeSource());
  // A string, evaluated in the page: axe and document are the page's globals.
  const results = (await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })",
  )) as { violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] };
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, nodes: violation.nodes.map((node) => node.target.join(' ')) }));
}

/** Whether the page is wider than its viewport (a phone would scroll sideways). */
export const overflowsHorizontally = async (page: Page): Promise<boolean> =>
  (await page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth + 1')) === true;
