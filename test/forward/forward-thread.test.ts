import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { getPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { createForwardThread, type ForwardThread } from "../../src/forward/forward-thread.js";
import { type JsonForwardBody, protobufOf } from "../../src/forward/json-to-protobuf.js";
import type { OtlpSignalPath } from "../../src/otlp/protobuf/from-json.js";
import { jsonTraceRequest } from "../helpers/payloads.js";

// The forwarding thread as the package ships it (`npm run build` writes it; `npm test` builds first).
const BUILT_WORKER = new URL("../../dist/forward-worker/forward-worker.js", import.meta.url);
const EXAMPLES = new URL("../fixtures/otlp-examples/", import.meta.url);

const encoder = new TextEncoder();
function bodies(): { path: OtlpSignalPath; body: JsonForwardBody }[] {
  const out: { path: OtlpSignalPath; body: JsonForwardBody }[] = [];
  for (let i = 0; i < 24; i++) {
    const spans = Array.from({ length: 1 + (i % 5) }, (_, k) => ({ name: `GET /users/${i}`, kind: 1 + (k % 3) }));
    out.push({
      path: "/v1/traces",
      body: {
        json: encoder.encode(JSON.stringify(jsonTraceRequest(`svc-${i % 3}`, spans))),
        apiSpanKinds: i % 2 === 0,
      },
    });
  }
  for (const [path, file] of [
    ["/v1/logs", "logs.json"],
    ["/v1/metrics", "metrics.json"],
    ["/v1/traces", "trace.json"],
  ] as const) {
    out.push({ path, body: { json: new Uint8Array(readFileSync(new URL(file, EXAMPLES))), apiSpanKinds: false } });
  }
  return out;
}

/** Encodes every body and waits for all of them; the order `done` was called in, and the bytes. */
async function encodeAll(json: ForwardThread, items: { path: OtlpSignalPath; body: JsonForwardBody }[]) {
  const got: { index: number; bytes: Uint8Array }[] = [];
  items.forEach((item, index) => {
    json.encode(item.path, item.body, (bytes) => got.push({ index, bytes }));
  });
  const deadline = Date.now() + 10_000;
  while (got.length < items.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return got;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A thread's file holding `source`, in a directory removed after the tests. */
function workerScript(source: string): URL {
  const dir = mkdtempSync(join(tmpdir(), "tracekit-local-worker-"));
  dirs.push(dir);
  const file = join(dir, "worker.mjs");
  writeFileSync(file, source);
  return pathToFileURL(file);
}

describe("writing forwarded JSON as protobuf", () => {
  it("in the encoding thread: the same bytes as in this one, in the order handed over", async () => {
    const items = bodies();
    const json = createForwardThread(BUILT_WORKER);
    const got = await encodeAll(json, items);
    expect(json.inThread()).toBe(true);
    expect(got.map((g) => g.index)).toEqual(items.map((_, i) => i));
    for (const { index, bytes } of got) {
      const item = items[index] as (typeof items)[number];
      expect(Buffer.from(bytes).equals(Buffer.from(protobufOf(item.path, item.body))), `body ${index}`).toBe(true);
    }
    await json.close(1000);
  });

  it("leaves the received bytes as they were", async () => {
    const items = bodies();
    const copies = items.map((item) => Buffer.from(item.body.json));
    const json = createForwardThread(BUILT_WORKER);
    await encodeAll(json, items);
    items.forEach((item, i) => {
      expect(Buffer.from(item.body.json).equals(copies[i] as Buffer)).toBe(true);
    });
    await json.close(1000);
  });

  it("encodes in this thread when the encoding thread fails, losing nothing", async () => {
    const items = bodies();
    const json = createForwardThread(workerScript("throw new Error('cannot start');\n"));
    const got = await encodeAll(json, items);
    expect(json.inThread()).toBe(false);
    expect(got.map((g) => g.index).sort((a, b) => a - b)).toEqual(items.map((_, i) => i));
    await json.close(1000);
  });

  it("drops the oldest of what its thread is too far behind to take, telling its size, rather than encoding it here", async () => {
    // A thread that takes work and never answers: everything handed over stays waiting.
    const stuck = workerScript(
      "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => {});\n",
    );
    // Bodies of 6 MB: the first fills what the thread is given at a time, the rest wait here.
    const big = (i: number) => ({
      path: "/v1/traces" as const,
      body: { json: new Uint8Array(6_000_000 + i), apiSpanKinds: false },
    });
    const items = Array.from({ length: 6 }, (_, i) => big(i));
    const size = (item: (typeof items)[number]) => item.body.json.byteLength;
    // Room for two waiting bodies.
    const json = createForwardThread(stuck, 13_000_000);
    const done: number[] = [];
    const lost: number[] = [];
    items.forEach((item, index) => {
      json.encode(
        item.path,
        item.body,
        () => done.push(index),
        (bytes) => lost.push(bytes),
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(json.inThread()).toBe(true);
    expect(done).toEqual([]);
    // 0 went to the thread; 1..5 waited, and each new one past two pushed the oldest waiting out.
    expect(lost).toEqual(items.slice(1, 4).map(size));
    await json.close(10);
  });

  it("without a thread, in a later turn, and drops only a body it cannot encode", async () => {
    const items = bodies();
    items.splice(3, 0, { path: "/v1/metrics", body: { json: encoder.encode("[1, 2"), apiSpanKinds: false } });
    for (const file of [null, BUILT_WORKER]) {
      const json = createForwardThread(file);
      const got: number[] = [];
      items.forEach((item, index) => {
        json.encode(item.path, item.body, () => got.push(index));
      });
      if (file === null) expect(got).toEqual([]);
      await json.close(5000);
      expect(got.sort((a, b) => a - b)).toEqual(items.map((_, i) => i).filter((i) => i !== 3));
    }
  });
});

describe("gzipping forwarded batches", () => {
  const batch = () => {
    const json = JSON.stringify(jsonTraceRequest("checkout", [{ name: "GET /orders/:id", kind: 2 }]));
    return new Uint8Array(Buffer.from(json.repeat(200)));
  };

  it("in the forwarding thread and without it: bytes that gunzip to the batch, which stays as it was", async () => {
    for (const file of [BUILT_WORKER, null]) {
      const thread = createForwardThread(file);
      const bytes = batch();
      const copy = Buffer.from(bytes);
      const wire = await thread.gzip(bytes);
      expect(thread.inThread()).toBe(file !== null);
      expect(wire.byteLength).toBeLessThan(bytes.byteLength / 10);
      expect(gunzipSync(wire).equals(copy)).toBe(true);
      expect(Buffer.from(bytes).equals(copy)).toBe(true);
      await thread.close(1000);
    }
  });

  it("runs the forwarding thread at a low priority, where the system has one per thread", async () => {
    if (!existsSync("/proc/thread-self")) return;
    const thread = createForwardThread(BUILT_WORKER);
    await thread.gzip(batch());
    // The process's threads and their nice values (field 19 of each thread's stat, after the name).
    const nice = readdirSync("/proc/self/task").map((task) => {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
    });
    expect(nice).toContain(Math.max(getPriority(), 10));
    expect(nice).toContain(getPriority());
    await thread.close(1000);
  });
});
