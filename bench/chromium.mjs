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
