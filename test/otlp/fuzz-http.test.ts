/**
 * Deterministic fuzzing through the real HTTP server: 20,000 mutated bodies per signal (a third
 * protobuf, a third JSON, a third gzipped, some with a corrupted gzip stream), seeded from the real
 * OpenTelemetry JS SDK's output. Every answer must be 200, 400, 413 or 415, the server must keep
 * serving, and data stored before must come back unchanged. bench/fuzz.mjs runs the same for longer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzzCases, prng, runFuzz } from "../../bench/fuzz-lib.mjs";
import { fuzzSeeds } from "../../bench/fuzz-seeds.mjs";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { jsonLogRequest, jsonTraceRequest, newTraceId, postJson, postLogs } from "../helpers/payloads.js";

const CASES_PER_SIGNAL = 20_000;
/** The signals this server stores (a path answering 404 would not exercise a decoder). */
const SIGNALS = ["traces", "logs", "metrics"] as const;

let app: TestApp;
let seeds: Awaited<ReturnType<typeof fuzzSeeds>>;
const control: { traceId: string; json: string }[] = [];
const controlLogs: { traceId: string; json: string }[] = [];

beforeAll(async () => {
  // A small span store: accepted fuzz spans may carry 200 KB values, and the bound counts spans. The
  // default log bound (200,000) keeps every record the fuzzing stores (~90,000), so the control
  // records are still there to compare (checked below).
  app = await startTestApp({ maxSpans: 5_000 });
  seeds = await fuzzSeeds();
  for (let i = 0; i < 5; i++) {
    const traceId = newTraceId();
    await postJson(
      app.base,
      jsonTraceRequest("control", [
        { traceId, name: `control ${i}`, attributes: { "app.i": i, "app.ratio": i / 3, "app.ok": true } },
        { traceId, name: "child", attributes: { "db.statement": "SELECT 1" } },
      ]),
    );
    control.push({ traceId, json: await (await fetch(`${app.base}/api/traces/${traceId}`)).text() });
    await postLogs(app.base, jsonLogRequest("control", [{ traceId, body: `control ${i}`, attributes: { i: `${i}` } }]));
    controlLogs.push({ traceId, json: await logRecordsText(traceId) });
  }
});
afterAll(async () => {
  await app?.close();
});

/** A trace's log records as the API writes them (the answer's counts of the whole store aside). */
async function logRecordsText(traceId: string): Promise<string> {
  const answer = (await (await fetch(`${app.base}/api/logs?traceId=${traceId}`)).json()) as { logs: unknown };
  return JSON.stringify(answer.logs);
}

describe("fuzzing OTLP/HTTP (fixed seed)", () => {
  for (const [index, signal] of SIGNALS.entries()) {
    it(`answers ${CASES_PER_SIGNAL.toLocaleString("en-US")} mutated /v1/${signal} bodies with 200/400/413/415`, {
      timeout: 300_000,
    }, async () => {
      const rand = prng(20261202 + index);
      const { statuses, unexpected } = await runFuzz({
        base: app.base,
        path: `/v1/${signal}`,
        cases: fuzzCases(rand, seeds[signal], CASES_PER_SIGNAL),
      });
      expect(unexpected.map(({ status, fuzzCase }) => ({ status, headers: fuzzCase.headers }))).toEqual([]);
      // The mutations must reach past the first check: some bodies decode, some are refused.
      expect(statuses[200]).toBeGreaterThan(CASES_PER_SIGNAL / 20);
      expect(statuses[400]).toBeGreaterThan(CASES_PER_SIGNAL / 20);
    });
  }

  it("keeps serving, and what was stored before is unchanged", async () => {
    expect((await fetch(`${app.base}/api/health`)).status).toBe(200);
    for (const { traceId, json } of control) {
      expect(await (await fetch(`${app.base}/api/traces/${traceId}`)).text()).toBe(json);
    }
    const health = await (await fetch(`${app.base}/api/health`)).json();
    expect(health.counts.evictedLogs).toBe(0);
    for (const { traceId, json } of controlLogs) {
      expect(await logRecordsText(traceId)).toBe(json);
    }
  });
});
