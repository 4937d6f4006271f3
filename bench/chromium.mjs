// What the browser benchmarks share: Chromium, posting OTLP/JSON, and timing frames while a list scrolls.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
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
export async function mainThread(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  const get = (name) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
  return {
    task: get("TaskDuration"),
    script: get("ScriptDuration"),
    layout: get("LayoutDuration") + get("RecalcStyleDuration"),
  };
}

/**
 * CPU time (ms) so far of each of Chromium's renderer processes, by process id: all their threads, and
 * the main thread alone (`main`, where the page's script, style, layout and paint run). Read from /proc
 * in nanoseconds where it can be (Chromium's own figure counts in 10 ms ticks), else Chromium's.
 */
async function rendererCpu(browserCdp) {
  const { processInfo } = await browserCdp.send("SystemInfo.getProcessInfo");
  return new Map(
    processInfo
      .filter((p) => p.type === "renderer")
      .map((p) => {
        const total = processCpuMs(p.id);
        const main = threadCpuMs(p.id, p.id);
        return [p.id, Number.isNaN(total) ? { total: p.cpuTime * 1000, main: Number.NaN } : { total, main }];
      }),
  );
}

/** Renderer CPU time (ms) between two readings, all threads and main threads: processes started meanwhile count whole, ended ones not at all. */
function rendererCpuSpent(before, after) {
  let total = 0;
  let main = 0;
  for (const [id, spent] of after) {
    total += spent.total - (before.get(id)?.total ?? 0);
    main += spent.main - (before.get(id)?.main ?? 0);
  }
  return { total, main };
}

/** CPU time (ms) so far of thread `tid` of process `pid` (/proc schedstat, in ns), or NaN. */
function threadCpuMs(pid, tid) {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU time (ms) so far of every thread of process `pid` (Linux: /proc/<pid>/task/<tid>/schedstat, in ns),
 * or NaN where it cannot be read. Unlike wall time, it hardly moves with what else the machine runs.
 */
export function processCpuMs(pid) {
  try {
    let ms = 0;
    // A thread that ended between the listing and its reading counts nothing.
    for (const tid of readdirSync(`/proc/${pid}/task`)) ms += threadCpuMs(pid, tid) || 0;
    return ms;
  } catch {
    return Number.NaN;
  }
}

/** Starts the page's sampling profiler (every 100 µs), for a navigation that `saveProfile` ends. */
async function startProfile(cdp) {
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
}

/** Writes the page's profile since `startProfile` to `path` (open it in Chromium's DevTools, Performance). */
async function saveProfile(cdp, path) {
  const { profile } = await cdp.send("Profiler.stop");
  writeFileSync(path, JSON.stringify(profile));
  console.log(`profile: ${path}`);
}

/**
 * `runs` cold navigations to `url`, each in a page from `newPage(browser)`: `drawn(page)` resolves with
 * the page-clock time its content was drawn, `milestones(arg)` runs in the page after it and gives when
 * the app started (`booted`) and its data arrived (`answered`). Also the renderer's main-thread time
 * each navigation took (`busy`: task, script, style and layout), and CPU time until drawn (`cpu`): the
 * renderer processes' (`renderer`, and `rendererMain` their main threads'), and with `serverPid` the server's.
 * With `profileTo` (a path prefix), the page's main thread is profiled in each run, until drawn, into
 * `<profileTo>-<run>.cpuprofile`.
 */
export async function timeNavigations({
  browser,
  newPage,
  url,
  runs,
  drawn,
  milestones,
  milestonesArg,
  serverPid,
  profileTo,
}) {
  const times = [];
  const booted = [];
  const answered = [];
  const busy = [];
  const cpu = [];
  const browserCdp = await browser.newBrowserCDPSession();
  for (let run = 0; run < runs; run++) {
    const page = await newPage(browser);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const before = await mainThread(cdp);
    const rendererBefore = await rendererCpu(browserCdp);
    const serverBefore = processCpuMs(serverPid);
    if (profileTo !== undefined) await startProfile(cdp);
    await page.goto(url, { waitUntil: "commit" });
    times.push(await drawn(page));
    if (profileTo !== undefined) await saveProfile(cdp, `${profileTo}-${run}.cpuprofile`);
    const serverAfter = processCpuMs(serverPid);
    const after = await mainThread(cdp);
    const renderer = rendererCpuSpent(rendererBefore, await rendererCpu(browserCdp));
    cpu.push({ renderer: renderer.total, rendererMain: renderer.main, server: serverAfter - serverBefore });
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
  await browserCdp.detach();
  return { times, booted, answered, busy, cpu };
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
