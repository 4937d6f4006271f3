// What the browser benchmarks share: Chromium, posting OTLP/JSON, and timing frames while a list scrolls.
import { chromium } from "playwright-core";

/**
 * Runs in the page: scrolls the list holding `selector` from top to bottom in `step`-pixel jumps,
 * one animation frame each, and returns the sorted frame durations.
 */
export async function scrollFrameTimes({ selector, step }) {
  const list = document.querySelector(selector)?.closest(".vlist");
  if (!list) return [];
  const durations = [];
  let last = performance.now();
  for (let y = 0; y <= list.scrollHeight; y += step) {
    list.scrollTop = y;
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    durations.push(now - last);
    last = now;
  }
  return durations.sort((a, b) => a - b);
}

/** POSTs an OTLP/JSON body to `path` (e.g. /v1/traces); rejects unless the server answers 2xx. */
export async function postJson(base, path, body) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  if (!response.ok) throw new Error(`POST ${path} → ${response.status} ${await response.text()}`);
}

/** Debian's Chromium (CHROMIUM_PATH elsewhere), headless, with nothing of its own on the network. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** The renderer's main-thread time so far (ms): all its tasks, and the script, layout and style parts. */
async function mainThread(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  const get = (name) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
  return {
    task: get("TaskDuration"),
    script: get("ScriptDuration"),
    layout: get("LayoutDuration") + get("RecalcStyleDuration"),
  };
}

/**
 * `runs` cold navigations to `url`, each in a page from `newPage(browser)`: `drawn(page)` resolves with
 * the page-clock time its content was drawn, `milestones(arg)` runs in the page after it and gives when
 * the app started (`booted`) and its data arrived (`answered`). Also the renderer's main-thread time
 * each navigation took (`busy`: task, script, style and layout).
 */
export async function timeNavigations({ browser, newPage, url, runs, drawn, milestones, milestonesArg }) {
  const times = [];
  const booted = [];
  const answered = [];
  const busy = [];
  for (let run = 0; run < runs; run++) {
    const page = await newPage(browser);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const before = await mainThread(cdp);
    await page.goto(url, { waitUntil: "commit" });
    times.push(await drawn(page));
    const after = await mainThread(cdp);
    busy.push({
      task: after.task - before.task,
      script: after.script - before.script,
      layout: after.layout - before.layout,
    });
    const m = await page.evaluate(milestones, milestonesArg);
    booted.push(m.booted);
    answered.push(m.answered);
    await page.close();
  }
  return { times, booted, answered, busy };
}

/** Navigation → DOMContentLoaded of `url`, `runs` times: what this machine's load costs any page. */
export async function timeBoots({ browser, newPage, url, runs }) {
  const times = [];
  for (let run = 0; run < runs; run++) {
    const page = await newPage(browser);
    await page.goto(url);
    times.push(await page.evaluate(() => performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd));
    await page.close();
  }
  return times;
}
