import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/app.js";
import { type CliRun, loadedHealth, useCliRuns, waitForUrl } from "../helpers/cli.js";
import { key, varint } from "../otlp/helpers.js";

// SIGTERM while a large export is decoded and stored in slices (seconds of work, between which the
// server answers others): the export is answered, stored whole (200) or refused with a retry (503),
// never cut off with its connection; the process exits 0 with its last line, and with --db what was
// acknowledged is in the file.
const SPANS = 100_000;

const dir = tempDir();
afterAll(() => dir.remove());
const cli = useCliRuns();

/** A length-delimited protobuf field of `payload`, which may be large (the helpers' lenField spreads it). */
const field = (number: number, payload: Buffer) =>
  Buffer.concat([Buffer.from([...key(number, 2), ...varint(payload.length)]), payload]);
const text = (s: string) => Buffer.from(s, "utf8");
const keyValue = (name: string, value: Buffer) => Buffer.concat([field(1, text(name)), field(2, value)]);

/** A request of many one-span traces, each with a 250-byte attribute (~30 MB). */
function largeTraceRequest(count: number): Buffer {
  const pad = field(9, keyValue("pad", field(1, text("x".repeat(250)))));
  const spans: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    spans.push(
      field(2, Buffer.concat([field(1, randomBytes(16)), field(2, randomBytes(8)), field(5, text("a")), pad])),
    );
  }
  const resource = field(1, field(1, keyValue("service.name", field(1, text("large")))));
  return field(1, Buffer.concat([resource, field(2, Buffer.concat(spans))]));
}

/** POSTs `body` to /v1/traces; resolves to the status, or to the connection's error code. */
function postTraces(port: number, body: Buffer): Promise<{ status: number | null; error: string | null }> {
  return new Promise((resolve) => {
    const headers = { "Content-Type": "application/x-protobuf", "Content-Length": body.length };
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/v1/traces", headers }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? null, error: null }));
      res.on("error", (error: NodeJS.ErrnoException) => resolve({ status: null, error: error.code ?? error.message }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ status: null, error: error.code ?? error.message }));
    req.end(body);
  });
}

async function waitForLine(run: CliRun, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.stdout())) {
    if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`no ${pattern}: ${run.stdout()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("stopping while a large export is stored", () => {
  const body = largeTraceRequest(SPANS);

  it.each([
    ["memory", false],
    ["--db", true],
  ])(
    "%s: the export is answered (200 or 503), not cut off, and the process exits 0",
    async (_name, withDb) => {
      const file = join(dir.path, "stop.db");
      const storeArgs = withDb ? ["--db", file] : [];
      const run = cli(["--port", "0", "--no-open", "--max-spans", String(2 * SPANS), ...storeArgs]);
      const { port } = await waitForUrl(run);
      const answer = postTraces(port, body);
      // The first slice is stored: decoding is done, storing the rest takes seconds more.
      await waitForLine(run, /\+ large: first spans received/);
      run.child.kill("SIGTERM");
      const stoppedAt = performance.now();
      const { status, error } = await answer;
      expect(error).toBeNull();
      expect([200, 503]).toContain(status);
      expect(await run.exited).toBe(0);
      expect(performance.now() - stoppedAt).toBeLessThan(9_000);
      expect(run.stdout().trimEnd().endsWith("stopped")).toBe(true);
      expect(run.stderr()).toBe("");
      if (status === 503) expect(run.stdout()).toContain("answered 503: tracekit-local is stopping");
      if (!withDb) return;
      // What the file holds: all of the request when it was acknowledged, at most all of it otherwise.
      const again = cli(["--port", "0", "--no-open", "--max-spans", String(2 * SPANS), "--db", file]);
      const { url } = await waitForUrl(again);
      const health = (await loadedHealth(url)) as { counts: { spans: number } };
      if (status === 200) expect(health.counts.spans).toBe(SPANS);
      else expect(health.counts.spans).toBeLessThan(SPANS);
      again.child.kill("SIGTERM");
      expect(await again.exited).toBe(0);
    },
    90_000,
  );
});

describe("stopping while a sender is still sending its body", () => {
  it("cuts the stalled upload off after the socket grace and exits 0 well before the forced exit", async () => {
    const run = cli(["--port", "0", "--no-open"]);
    const { port } = await waitForUrl(run);
    // Half of a declared body, then nothing: the request waits for the rest.
    const outcome = new Promise<string>((resolve) => {
      const headers = { "Content-Type": "application/x-protobuf", "Content-Length": 1_000_000 };
      const req = request({ host: "127.0.0.1", port, method: "POST", path: "/v1/traces", headers }, (res) => {
        res.resume();
        resolve(`answered ${res.statusCode}`);
      });
      req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.write(Buffer.alloc(500_000));
    });
    // The server has the request (its body half read) before the signal.
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill("SIGTERM");
    const stoppedAt = performance.now();
    expect(await run.exited).toBe(0);
    // The socket grace (2 s) and no more: the export grace waits only for exports whose body is in.
    expect(performance.now() - stoppedAt).toBeLessThan(5_000);
    expect(run.stdout().trimEnd().endsWith("stopped")).toBe(true);
    expect(run.stdout()).not.toContain("longer than");
    expect(await outcome).not.toMatch(/^answered 2/);
  }, 30_000);
});
