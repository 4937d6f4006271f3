import { describe, expect, it } from "vitest";
import type { Poster } from "../../src/forward/http-post.js";
import { createForwardTarget, DEFAULT_FORWARD_TUNING } from "../../src/forward/target.js";

const config = {
  url: "http://collector.invalid:4318",
  endpoints: {
    "/v1/traces": "http://collector.invalid:4318/v1/traces",
    "/v1/logs": "http://collector.invalid:4318/v1/logs",
    "/v1/metrics": "http://collector.invalid:4318/v1/metrics",
  },
  headers: {},
  compression: "gzip" as const,
};

// The upstream takes the first batch and never answers: the others stay queued.
const hanging: Poster = { post: () => new Promise(() => {}), destroy: () => {} };

/** A gzip step the test finishes when it likes, with output of a size it picks. */
function heldGzip() {
  const pending: { size: number; resolve(bytes: Uint8Array): void }[] = [];
  return {
    gzip: (bytes: Uint8Array) =>
      new Promise<Uint8Array>((resolve) => pending.push({ size: bytes.byteLength, resolve })),
    /** Ends every gzip started so far, each giving `ratio` of its input's size. */
    async finish(ratio: number) {
      for (const job of pending.splice(0)) job.resolve(new Uint8Array(Math.round(job.size * ratio)));
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

const tuning = { ...DEFAULT_FORWARD_TUNING, maxQueueBytes: 1000, maxBatchBytes: 100, lingerMs: 60_000, concurrency: 1 };

function targetWith(gzip: ReturnType<typeof heldGzip>) {
  return createForwardTarget(config, tuning, { event: () => {}, dropsChanged: () => {} }, hanging, gzip.gzip);
}

describe("a forwarding target's queue bound", () => {
  it("does not drop batches for their raw size while they are being gzipped: they fit once gzipped", async () => {
    const gzip = heldGzip();
    const target = targetWith(gzip);
    // 12 batches of 100 bytes: one is sent, 11 wait, 1,100 raw bytes over a 1,000-byte bound.
    for (let i = 0; i < 12; i++) target.add("/v1/logs", new Uint8Array(100));
    expect(target.status().dropped.queueFull).toBe(0);
    await gzip.finish(0.25);
    expect(target.status().dropped.queueFull).toBe(0);
    expect(target.status().queued).toEqual({ batches: 12, bytes: 12 * 25 });
    await target.close(0);
  });

  it("drops once gzip ends when the batches do not fit gzipped either", async () => {
    const gzip = heldGzip();
    const target = targetWith(gzip);
    for (let i = 0; i < 12; i++) target.add("/v1/logs", new Uint8Array(100));
    // Incompressible: 11 queued batches hold 1,100 bytes gzipped too; the oldest goes.
    await gzip.finish(1);
    expect(target.status().dropped.queueFull).toBe(1);
    expect(target.status().queued.batches).toBe(11);
    await target.close(0);
  });

  it("drops the oldest before gzip ends when the queue would hold half as much again as its bound", async () => {
    const gzip = heldGzip();
    const target = targetWith(gzip);
    // One sent, 19 queued: 1,900 raw bytes, past 1,500.
    for (let i = 0; i < 20; i++) target.add("/v1/logs", new Uint8Array(100));
    expect(target.status().dropped.queueFull).toBe(4);
    await gzip.finish(0.25);
    expect(target.status().dropped.queueFull).toBe(4);
    await target.close(0);
  });
});
