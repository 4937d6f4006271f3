import { count, plural } from "../domain/count-text.js";
import type { DemoOptions } from "./demo-options.js";
import { requireInstance } from "./instance.js";

/** After a stop, flushing may wait on a server that went away; never hang for longer than this. */
const STOP_DEADLINE_MS = 15_000;

export async function runDemo(options: DemoOptions): Promise<void> {
  const { url } = await requireInstance(options);

  const controller = new AbortController();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    controller.abort();
    setTimeout(() => {
      console.error("error: sending the last spans took too long; exiting");
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  const length = options.duration === 0 ? "until Ctrl+C" : `for ${options.duration} s`;
  // The rate as given, fractions kept (0.4, not "0"); one trace a second is "1 trace/s".
  const rate = Number.isInteger(options.rate) ? count(options.rate) : String(Number(options.rate.toFixed(2)));
  console.log(
    `sending demo traffic to ${url} ${length} (${rate} ${options.rate === 1 ? "trace" : "traces"}/s) — open ${url}`,
  );

  let exportErrorShown = false;
  // The OpenTelemetry SDK is loaded only here, so it never slows the server's start.
  const { runDemoTraffic } = await import("../demo/traffic.js");
  const totals = await runDemoTraffic({
    url,
    durationMs: options.duration * 1000,
    rate: options.rate,
    signal: controller.signal,
    onExportError: (error) => {
      // The exporter already retried: the server is gone or refusing, so more traffic would be lost too.
      if (exportErrorShown) return;
      exportErrorShown = true;
      console.error(`  ! could not deliver spans to ${url}: ${error.message.split("\n")[0]}; stopping`);
      controller.abort();
    },
  });

  const seconds = (totals.elapsedMs / 1000).toFixed(1);
  console.log(
    `sent ${plural(totals.traces, "trace")} (${plural(totals.spans, "span")}) from ${plural(totals.services, "service")} in ${seconds} s`,
  );
  if (totals.failedSpans > 0) {
    console.error(`error: ${plural(totals.failedSpans, "span")} could not be delivered to ${url}`);
    process.exit(1);
  }
  process.exit(0);
}
