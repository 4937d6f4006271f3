import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium; CHROMIUM_PATH points elsewhere on other systems. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Whether the browser tests can run. In CI they must: a missing Chromium is an error there.
 * Elsewhere they are skipped, with a warning nobody can miss.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI)
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}; CI must install it (apt-get install chromium)`);
  console.warn(
    `\n*** SKIPPING BROWSER TESTS: no Chromium at ${CHROMIUM_PATH}. Install it (apt-get install chromium) or set CHROMIUM_PATH. ***\n`,
  );
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/**
 * A page of the app at the browser tests' size, collecting every page error and console error (a
 * test ends by expecting none); `allow` exempts console errors a test expects, e.g. a 404.
 */
export async function openCheckedPage(
  browser: Browser,
  allow: () => RegExp | null = () => null,
): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !allow()?.test(message.text())) problems.push(message.text());
  });
  return { page, problems };
}
