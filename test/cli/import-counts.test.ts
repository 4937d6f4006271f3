/**
 * What `tracekit-local import` says it added to a running instance: a trace counts as new when it
 * took a new span, also when the request it went in held traces the instance had already.
 */
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/app.js";
import { BIN, useCliRuns, waitForUrl } from "../helpers/cli.js";
import { waitFor } from "../helpers/live.js";
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
    expect(first.stdout).toMatch(
      /^imported 1 file: 3 traces, 6 spans new, 0 rejected in [\d.]+ s \([\d,]+ spans\/s\)$/m,
    );
    // The whole file goes in one request: 3 of its 13 traces are there already.
    const again = await cli(["import", "--port", String(port), whole]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^imported 1 file: 10 traces, 20 spans new \(6 spans already stored\), 0 rejected/);
    const third = await cli(["import", "--port", String(port), whole]);
    // The rate is of spans read, not of spans added: it says so when they were stored already.
    expect(third.stdout).toMatch(
      /^imported 1 file: 0 traces, 0 spans new \(26 spans already stored\), 0 rejected in [\d.]+ s \(read at [\d,]+ spans\/s\)$/m,
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
      "note: the instance evicted 8 traces (16 spans) to stay within 10 spans while importing; start it with a larger --max-spans / --max-logs to keep more",
    );
    const db = join(dir.path, "bounded.db");
    const offline = await cli(["import", "--db", db, "--max-spans", "10", file]);
    expect(offline.code).toBe(0);
    expect(offline.stderr.trim()).toBe(
      "note: the file evicted 8 traces (16 spans) to stay within 10 spans while importing; pass a larger --max-spans to keep more",
    );
    // Nothing evicted: no note.
    const roomy = await cli(["import", "--db", join(dir.path, "roomy.db"), file]);
    expect(roomy.stderr).toBe("");
  });

  it("into a --db file, counts the newest trace larger than a smaller --max-spans alone without calling it the oldest", async () => {
    // Two traces of two spans, then one of six: a --max-spans of 5 keeps the first two.
    const file = join(dir.path, "large-last.jsonl");
    const traceId = newTraceId();
    const large = JSON.stringify(
      jsonTraceRequest(
        "svc-large",
        Array.from({ length: 6 }, (_, i) => ({ traceId, name: `step ${i}` })),
      ),
    );
    writeFileSync(file, `${[...traceLines(2), large].join("\n")}\n`);
    const db = join(dir.path, "large-last.db");
    expect((await cli(["import", "--db", db, file])).stderr).toBe("");
    const empty = join(dir.path, "nothing.jsonl");
    writeFileSync(empty, `${traceLines(0).join("\n")}`);
    const cut = await cli(["import", "--db", db, "--max-spans", "5", empty]);
    expect(cut.stderr.trim().split("\n")).toContain(
      "note: the file evicted 1 trace (6 spans) to stay within 5 spans while importing; pass a larger --max-spans to keep more",
    );
  });
});

/** util-linux `script`, which runs a command on a pseudo-terminal of its own (absent: the test is skipped). */
const hasScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("tracekit-local import - at a terminal", { timeout: 60_000 }, () => {
  it.skipIf(!hasScript)("says in one line that it reads stdin, instead of waiting silently", async () => {
    const server = start(["--port", "0", "--no-open"]);
    const { port } = await waitForUrl(server);
    // stdin of the import is the terminal `script` opens; nothing is typed until the line is seen.
    const command = `'${process.execPath}' '${BIN}' import - --port ${port}`;
    const run = spawn("script", ["-qec", command, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    run.stdout.on("data", (chunk) => {
      out += chunk;
    });
    const exited = new Promise<number | null>((resolve) => run.on("exit", (code) => resolve(code)));
    try {
      const said = await waitFor(() => (out.includes("Ctrl+D") ? out : undefined), 20_000);
      expect(said.split("\n").filter((line) => line.includes("stdin"))).toEqual([
        expect.stringMatching(/^import: reading OTLP from stdin \(the terminal\); end it with Ctrl\+D, or pass a file/),
      ]);
      // Ctrl+D at once: an empty stdin, said as stdin, not as a file.
      run.stdin.write("\u0004");
      expect(await exited).toBe(1);
      expect(out).toContain("error: stdin: empty, nothing to import");
      expect(out).toContain("stdin not imported: nothing new, 0 rejected in ");
    } finally {
      if (run.exitCode === null) run.kill("SIGKILL");
    }
  });
});
