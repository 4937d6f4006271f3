import { afterAll, describe, expect, it } from "vitest";
import { prng } from "../../bench/fuzz-lib.mjs";
import { tempDir } from "../helpers/app.js";
import { type CliRun, runCli, waitForUrl } from "../helpers/cli.js";
import { jsonTraceRequest, postJson } from "../helpers/payloads.js";

// With --db, a 200 means the request's spans are committed to the file: killing the process with
// SIGKILL at any moment loses no acknowledged span. Real child processes, real OTLP/JSON requests
// from several senders at once, killed at seeded random points, several rounds on one file.
const ROUNDS = 4;
const SENDERS = 4;
const TRACES_PER_REQUEST = 2;
const SPANS_PER_TRACE = 25;

const dir = tempDir();
afterAll(() => dir.remove());

const rand = prng(0x6b1119);
const hex = (chars: number) => Array.from({ length: chars }, () => rand.int(16).toString(16)).join("");

/** One request's traces: a root and its children each, ids from the seeded generator. */
function nextRequest(round: number, sender: number, n: number): { body: unknown; traces: Map<string, string[]> } {
  const traces = new Map<string, string[]>();
  const spans = [];
  for (let t = 0; t < TRACES_PER_REQUEST; t++) {
    const traceId = hex(32);
    const rootId = hex(16);
    const ids = [rootId];
    spans.push({ traceId, spanId: rootId, name: `round ${round} sender ${sender} request ${n}` });
    for (let s = 1; s < SPANS_PER_TRACE; s++) {
      const spanId = hex(16);
      ids.push(spanId);
      spans.push({ traceId, spanId, parentSpanId: rootId, name: `child ${s}`, attributes: { "db.rows": s } });
    }
    traces.set(traceId, ids);
  }
  return { body: jsonTraceRequest(`sender-${sender}`, spans), traces };
}

/** One metrics request: a gauge point of the sender's own series, at a time of its own. */
function metricRequest(sender: number, n: number): unknown {
  const time = (BigInt(Date.now()) * 1_000_000n + BigInt(n)).toString();
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: `metrics-${sender}` } }] },
        scopeMetrics: [
          { metrics: [{ name: "kill.gauge", gauge: { dataPoints: [{ timeUnixNano: time, asDouble: n }] } }] },
        ],
      },
    ],
  };
}

async function start(path: string): Promise<{ run: CliRun; base: string }> {
  const run = runCli(["--db", path, "--no-open", "--port", "0"]);
  const { port } = await waitForUrl(run);
  return { run, base: `http://127.0.0.1:${port}` };
}

/** Every acknowledged span is in the restarted server (read back eight traces at a time). */
async function expectAllAcknowledged(base: string, acknowledged: Map<string, string[]>): Promise<void> {
  const missing: string[] = [];
  const queue = [...acknowledged];
  const reader = async () => {
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      const [traceId, spanIds] = next;
      const response = await fetch(`${base}/api/traces/${traceId}`);
      if (response.status !== 200) {
        await response.arrayBuffer();
        missing.push(`${traceId}: HTTP ${response.status}`);
        continue;
      }
      const { spans } = (await response.json()) as { spans: { spanId: string }[] };
      const stored = new Set(spans.map((span) => span.spanId));
      const lost = spanIds.filter((id) => !stored.has(id));
      if (lost.length > 0) missing.push(`${traceId}: ${lost.length} of ${spanIds.length} spans`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, reader));
  expect(missing, `acknowledged but lost after SIGKILL (${missing.length} traces)`).toEqual([]);
}

describe("--db survives SIGKILL", () => {
  it("finds every acknowledged span and metric point after a restart, over several killed rounds", {
    timeout: 120_000,
  }, async () => {
    const path = `${dir.path}/kill.db`;
    const acknowledged = new Map<string, string[]>();
    // Metric points acknowledged (each request one point): the restarted server holds at least as many.
    let acknowledgedPoints = 0;
    let lastRound = new Map<string, string[]>();
    for (let round = 0; round < ROUNDS; round++) {
      const { run, base } = await start(path);
      // What the last round acknowledged survived its kill (all rounds' are checked at the end).
      await expectAllAcknowledged(base, lastRound);
      const thisRound = new Map<string, string[]>();
      lastRound = thisRound;
      let killed = false;
      let ackedThisRound = 0;
      let firstAck: () => void = () => {};
      const acked = new Promise<void>((resolve) => {
        firstAck = resolve;
      });
      const sender = async (id: number) => {
        for (let n = 0; !killed; n++) {
          const { body, traces } = nextRequest(round, id, n);
          try {
            const response = await postJson(base, body);
            await response.arrayBuffer();
            if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
            for (const [traceId, ids] of traces) {
              acknowledged.set(traceId, ids);
              thisRound.set(traceId, ids);
            }
            ackedThisRound++;
            firstAck();
          } catch {
            // The process was killed with this request in flight (or before it was sent).
            return;
          }
        }
      };
      const metricsSender = async () => {
        for (let n = 0; !killed; n++) {
          try {
            const response = await fetch(`${base}/v1/metrics`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(metricRequest(round, n)),
            });
            await response.arrayBuffer();
            if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
            acknowledgedPoints++;
          } catch {
            return;
          }
        }
      };
      const senders = [...Array.from({ length: SENDERS }, (_, id) => sender(id)), metricsSender()];
      // Killed at a random point once ingest is under way (a slow machine may take a while to answer).
      await acked;
      await new Promise((resolve) => setTimeout(resolve, rand.int(1000)));
      run.child.kill("SIGKILL");
      killed = true;
      await run.exited;
      await Promise.all(senders);
      expect(ackedThisRound, `round ${round} acknowledged requests`).toBeGreaterThan(0);
    }
    const { run, base } = await start(path);
    try {
      await expectAllAcknowledged(base, acknowledged);
      const health = (await (await fetch(`${base}/api/health`)).json()) as { counts: { metricPoints: number } };
      expect(acknowledgedPoints).toBeGreaterThan(0);
      expect(health.counts.metricPoints, "acknowledged metric points kept").toBeGreaterThanOrEqual(acknowledgedPoints);
    } finally {
      run.child.kill("SIGTERM");
      await run.exited;
    }
  });
});
