/**
 * What `tracekit-local import` says it added to a running instance: a trace counts as new when it
 * took a new span, also when the request it went in held traces the instance had already.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/app.js";
import { useCliRuns, waitForUrl } from "../helpers/cli.js";
import { jsonTraceRequest, newTraceId } from "../helpers/payloads.js";

const start = useCliRuns();
const dir = tempDir();
afterAll(() => dir.remove());

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = start(args);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** One JSON Lines line per trace, of two spans each. */
function traceLines(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const traceId = newTraceId();
    return JSON.stringify(
      jsonTraceRequest(`svc-${i % 3}`, [
        { traceId, name: "GET /a" },
        { traceId, name: "db" },
      ]),
    );
  });
}

describe("tracekit-local import: traces counted as new", { timeout: 60_000 }, () => {
  it("counts only the traces that took new spans when a file holds traces imported before", async () => {
    const server = start(["--port", "0", "--no-open"]);
    const { port } = await waitForUrl(server);
    const lines = traceLines(13);
    const part = join(dir.path, "part.jsonl");
    const whole = join(dir.path, "whole.jsonl");
    writeFileSync(part, `${lines.slice(0, 3).join("\n")}\n`);
    writeFileSync(whole, `${lines.join("\n")}\n`);

    const first = await cli(["import", "--port", String(port), part]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^imported 1 file: 3 traces, 6 spans, 0 log records, 0 metric points new, 0 rejected/);
    // The whole file goes in one request: 3 of its 13 traces are there already.
    const again = await cli(["import", "--port", String(port), whole]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /^imported 1 file: 10 traces, 20 spans, 0 log records, 0 metric points new \(6 spans already stored\), 0 rejected/,
    );
    const third = await cli(["import", "--port", String(port), whole]);
    expect(third.stdout).toMatch(
      /^imported 1 file: 0 traces, 0 spans, 0 log records, 0 metric points new \(26 spans already stored\), 0 rejected/,
    );
  });

  it("says when the store evicted while importing, into a running instance and into a --db file", async () => {
    const file = join(dir.path, "thirteen.jsonl");
    writeFileSync(file, `${traceLines(13).join("\n")}\n`);
    const server = start(["--port", "0", "--no-open", "--max-spans", "10"]);
    const { port } = await waitForUrl(server);
    const served = await cli(["import", "--port", String(port), file]);
    expect(served.code).toBe(0);
    // 26 spans into a bound of 10: five traces stay.
    expect(served.stderr.trim()).toBe(
      "note: the instance evicted its oldest 8 traces (16 spans) to stay within 10 spans while importing; start it with a larger --max-spans / --max-logs to keep more",
    );
    const db = join(dir.path, "bounded.db");
    const offline = await cli(["import", "--db", db, "--max-spans", "10", file]);
    expect(offline.code).toBe(0);
    expect(offline.stderr.trim()).toBe(
      "note: the file evicted its oldest 8 traces (16 spans) to stay within 10 spans while importing; pass a larger --max-spans to keep more",
    );
    // Nothing evicted: no note.
    const roomy = await cli(["import", "--db", join(dir.path, "roomy.db"), file]);
    expect(roomy.stderr).toBe("");
  });
});
