import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Locator, Page } from 'playwright-core';

/**
 * Headless Chromium for the browser suites: Debian's `chromium` package (`.ci/run` installs it),
 * driven by playwright-core, which downloads no browser of its own.
 */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export const ARTIFACTS_DIR = join(__dirname, '..', '..', '..', 'test-artifacts');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** The browser to drive; on CI a missing one fails the suite, elsewhere it is skipped with the reason printed. */
export function chromiumPath(): string | undefined {
  const found = CANDIDATES.find((candidate): candidate is string => !!candidate && existsSync(candidate));
  if (!found) {
    const reason = `no Chromium at ${CANDIDATES.filter(Boolean).join(', ')} (apt-get install chromium, or set CHROMIUM_PATH)`;
    if (process.env.CI) throw new Error(`Browser suites must run on CI, but there is ${reason}`);
    // eslint-disable-next-line no-console
    console.log(`SKIPPED browser suite: ${reason}`);
  }
  return found;
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    // Playwright gives every launch a fresh, temporary profile (its --user-data-dir).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core in the page (WCAG 2.1 A and AA rules, and best practices). Evaluated through
 * the DevTools protocol, so the pages' CSP, which allows no inline script, stays as it is.
 */
export async function axe(page: Page): Promise<{ violations: AxeViolation[]; passes: number }> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const run = `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }).then((result) => ({
    passes: result.passes.length,
    violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })),
  }))`;
  return page.evaluate(run) as Promise<{ violations: AxeViolation[]; passes: number }>;
}

/** What a page must be at both sizes: nothing serious for axe, no horizontal scrolling at 390 px; screenshots of both. */
export async function checkPage(page: Page, name: string, report: Map<string, { violations: AxeViolation[]; passes: number }>): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}-desktop.png`), fullPage: true });
  const result = await axe(page);
  report.set(name, result);
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}-phone.png`), fullPage: true });
  const widths = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })')) as { scroll: number; viewport: number };
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect({ page: name, serious }).toEqual({ page: name, serious: [] });
  expect({ page: name, horizontalScroll: widths.scroll > widths.viewport }).toEqual({ page: name, horizontalScroll: false });
  await page.setViewportSize(DESKTOP);
}

/** Retries an assertion until it holds (the page may still be loading or running its script). */
export async function eventually(assertion: () => unknown, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The visible text of the first element a locator finds. */
export async function textOf(locator: Locator): Promise<string> {
  return (await locator.first().innerText({ timeout: 1_000 })).trim();
}
