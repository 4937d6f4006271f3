import { describe, expect, it } from "vitest";
import type { Poster } from "../../src/forward/http-post.js";
import { createForwardTarget, DEFAULT_FORWARD_TUNING, type ForwardEvent } from "../../src/forward/target.js";

const config = {
  url: "http://collector.invalid:4318",
  endpoints: {
    "/v1/traces": "http://collector.invalid:4318/v1/traces",
    "/v1/logs": "http://collector.invalid:4318/v1/logs",
    "/v1/metrics": "http://collector.invalid:4318/v1/metrics",
  },
  headers: {},
  compression: "none" as const,
};

// Nothing is queued in these tests: the upstream is never asked.
const unused: Poster = {
  post: () => Promise.reject(new Error("not asked")),
  destroy: () => {},
};

describe("a forwarding target", () => {
  it("counts a body that never reached its queue as dropped for a full queue, and says so once", async () => {
    const events: ForwardEvent[] = [];
    let changes = 0;
    const target = createForwardTarget(
      config,
      DEFAULT_FORWARD_TUNING,
      { event: (event) => events.push(event), dropsChanged: () => changes++ },
      unused,
    );
    target.lost(90_000, "the forwarding thread fell behind");
    target.lost(10_000, "the forwarding thread fell behind");
    expect(target.status().dropped).toEqual({ queueFull: 2, rejected: 0, shutdown: 0, bytes: 100_000 });
    expect(target.status().queued).toEqual({ bytes: 0, batches: 0 });
    expect(changes).toBe(2);
    // The first drop is a line at once; what follows is summed up later.
    expect(events).toEqual([
      {
        type: "dropped",
        url: config.url,
        reason: "queueFull",
        batches: 1,
        bytes: 90_000,
        message: "the forwarding thread fell behind",
      },
    ]);
    await target.close(10);
  });
});
