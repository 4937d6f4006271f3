import { describe, expect, it } from "vitest";
import type { TraceSummary } from "../../src/domain/trace-summary.js";
import { createLiveHub, type LiveClient } from "../../src/live/hub.js";
import type { LiveMessage } from "../../src/protocol.js";

function summary(traceId: string): TraceSummary {
  return {
    traceId,
    name: "n",
    service: "s",
    startTimeUnixNano: 1n,
    endTimeUnixNano: 2n,
    durationMs: 0,
    spanCount: 1,
    errorCount: 0,
    errorMessage: null,
    llm: null,
    services: ["s"],
    hasRoot: true,
  };
}

/** A client whose network never drains: everything sent stays queued. */
function stuckClient(): LiveClient & { queued: number; sent: string[]; terminated: boolean } {
  const client = {
    queued: 0,
    sent: [] as string[],
    terminated: false,
    send(data: string) {
      client.sent.push(data);
      client.queued += data.length;
    },
    bufferedAmount: () => client.queued,
    terminate() {
      client.terminated = true;
    },
  };
  return client;
}

const tick = () => new Promise((r) => setTimeout(r, 15));

describe("live hub", () => {
  it("coalesces changes per tick into one message", async () => {
    const hub = createLiveHub({ getSummaries: (ids) => ids.map(summary), getLatest: () => [], tickMs: 5 });
    const client = stuckClient();
    hub.addClient(client);
    for (let i = 0; i < 100; i++) hub.tracesChanged([`t${i}`, `t${i}`]);
    await tick();
    expect(client.sent).toHaveLength(1);
    expect(JSON.parse(client.sent[0] as string).traces).toHaveLength(100);
    hub.close();
  });

  it("tells which traces retention removed, before the tick's summaries, bounded like other items", async () => {
    const stored = new Set(["t1", "t2", "t3"]);
    const hub = createLiveHub({
      getSummaries: (ids) => ids.filter((id) => stored.has(id)).map(summary),
      getLatest: () => [],
      tickMs: 5,
      maxQueuedItems: 3,
    });
    const client = stuckClient();
    hub.addClient(client);
    hub.tracesChanged(["t1", "t2"]);
    stored.delete("t1");
    hub.tracesEvicted(["t1"]);
    await tick();
    expect(client.sent.map((m) => JSON.parse(m))).toEqual([
      { type: "evicted", traceIds: ["t1"] },
      { type: "traces", traces: [expect.objectContaining({ traceId: "t2" })] },
    ]);
    client.sent.length = 0;
    hub.tracesEvicted(["a", "b"]);
    hub.tracesEvicted(["c", "d", "e"]);
    await tick();
    expect(client.sent.map((m) => JSON.parse(m))).toEqual([{ type: "evicted", traceIds: ["c", "d", "e"], omitted: 2 }]);
    client.sent.length = 0;
    // Evicted, then stored again within the tick (an import bringing it back): dropped, then listed.
    stored.delete("t3");
    hub.tracesEvicted(["t3"]);
    stored.add("t3");
    hub.tracesChanged(["t3"]);
    await tick();
    expect(client.sent.map((m) => JSON.parse(m))).toEqual([
      { type: "evicted", traceIds: ["t3"] },
      { type: "traces", traces: [expect.objectContaining({ traceId: "t3" })] },
    ]);
    client.sent.length = 0;
    // More evicted at once than the call stack takes as arguments: the newest kept, the rest counted.
    hub.tracesEvicted(Array.from({ length: 200_000 }, (_, i) => `x${i}`));
    await tick();
    expect(client.sent.map((m) => JSON.parse(m))).toEqual([
      { type: "evicted", traceIds: ["x199997", "x199998", "x199999"], omitted: 199_997 },
    ]);
    hub.close();
  });

  it("splits a very large burst into bounded messages", async () => {
    const hub = createLiveHub({
      getSummaries: (ids) => ids.map(summary),
      getLatest: () => [],
      tickMs: 5,
      maxTracesPerMessage: 100,
    });
    const client = stuckClient();
    hub.addClient(client);
    hub.tracesChanged(Array.from({ length: 350 }, (_, i) => `t${i}`));
    await tick();
    expect(client.sent.map((m) => JSON.parse(m).traces.length)).toEqual([100, 100, 100, 50]);
    hub.close();
  });

  it("stops sending to a client past the soft limit and drops it past the hard limit", async () => {
    const hub = createLiveHub({
      getSummaries: (ids) => ids.map(summary),
      getLatest: () => [summary("latest")],
      tickMs: 1,
      softLimitBytes: 1000,
      hardLimitBytes: 5000,
    });
    const slow = stuckClient();
    const fast = { ...stuckClient(), bufferedAmount: () => 0 };
    hub.addClient(slow);
    hub.addClient(fast);
    const sentAfterSnapshot = slow.sent.length;
    for (let i = 0; i < 50; i++) {
      hub.tracesChanged([`t${i}`]);
      await tick();
    }
    // The slow one got updates until its queue passed the soft limit, then nothing more.
    expect(slow.sent.length - sentAfterSnapshot).toBeLessThan(15);
    expect(slow.queued).toBeLessThan(1000 + 300);
    expect(fast.sent.length).toBe(51);
    // Past the hard limit it is dropped.
    slow.queued = 6000;
    hub.tracesChanged(["late"]);
    await tick();
    expect(slow.terminated).toBe(true);
    expect(hub.clientCount()).toBe(1);
    hub.close();
  });

  it("resyncs a skipped client with a snapshot once it drains", async () => {
    const hub = createLiveHub({
      getSummaries: (ids) => ids.map(summary),
      getLatest: () => [summary("latest")],
      tickMs: 1,
      softLimitBytes: 100,
    });
    const slow = stuckClient();
    hub.addClient(slow);
    slow.queued = 500;
    hub.tracesChanged(["missed"]);
    await tick();
    const before = slow.sent.length;
    slow.queued = 0;
    hub.tracesChanged(["next"]);
    await tick();
    const last = JSON.parse(slow.sent[slow.sent.length - 1] as string);
    expect(slow.sent.length).toBe(before + 1);
    expect(last).toMatchObject({ type: "traces", snapshot: true, traces: [{ traceId: "latest" }] });
    hub.close();
  });

  it("resyncs a skipped client once it drains, even when nothing new arrives", async () => {
    const hub = createLiveHub({
      getSummaries: (ids) => ids.map(summary),
      getLatest: () => [summary("latest")],
      tickMs: 1,
      softLimitBytes: 100,
    });
    const slow = stuckClient();
    hub.addClient(slow);
    slow.queued = 500;
    hub.tracesChanged(["missed"]);
    await tick();
    const before = slow.sent.length;
    slow.queued = 0;
    const deadline = Date.now() + 5000;
    while (slow.sent.length === before && Date.now() < deadline) await tick();
    expect(slow.sent.length).toBe(before + 1);
    expect(JSON.parse(slow.sent[before] as string)).toMatchObject({ type: "traces", snapshot: true });
    hub.close();
  });
  it("keeps the latest state message per type for every client, new ones and resynced ones", async () => {
    const hub = createLiveHub({
      getSummaries: (ids) => ids.map(summary),
      getLatest: () => [],
      tickMs: 5,
      softLimitBytes: 100,
    });
    const early = stuckClient();
    hub.addClient(early);
    let builds = 0;
    const state = (killSwitch: boolean) => (): LiveMessage => {
      builds++;
      return {
        type: "breakpoints",
        breakpoints: [],
        killSwitch,
        connectedSdks: {},
        lastCheckIns: {},
        killSwitchChangedAt: null,
        sdkPauses: {},
      };
    };
    hub.publishState("breakpoints", state(false));
    hub.publishState("breakpoints", state(true));
    await tick();
    // Two changes in one tick: one message, the newer one, built once.
    expect(early.sent.map((m) => JSON.parse(m).killSwitch)).toEqual([true]);
    expect(builds).toBe(1);
    const late = stuckClient();
    hub.addClient(late);
    expect(late.sent.map((m) => JSON.parse(m).type)).toEqual(["breakpoints"]);

    // A client skipped while slow gets the retained state again once it drains.
    early.queued = 1000;
    hub.publishState("breakpoints", state(false));
    await tick();
    expect(early.sent).toHaveLength(1);
    early.queued = 0;
    const deadline = Date.now() + 5000;
    while (early.sent.length < 2 && Date.now() < deadline) await tick();
    expect(JSON.parse(early.sent.at(-1) as string)).toMatchObject({ type: "breakpoints", killSwitch: false });
    hub.close();
  });

  it("sends a state changed before a client connected to the clients already connected, at the tick", async () => {
    const hub = createLiveHub({ getSummaries: (ids) => ids.map(summary), getLatest: () => [], tickMs: 5 });
    const connected = stuckClient();
    hub.addClient(connected);
    let builds = 0;
    const rejections = (count: number) => (): LiveMessage => {
      builds++;
      return { type: "rejections", rejectedRequests: count } as unknown as LiveMessage;
    };
    const colors = (): LiveMessage => ({ type: "service-colors", slots: { a: 0 } }) as unknown as LiveMessage;
    hub.publishState("rejections", rejections(1));
    hub.publishState("service-colors", colors);
    hub.tracesChanged(["t1"]);
    // A socket connects before the tick: it is sent the new states on connect, built once for both.
    const connecting = stuckClient();
    hub.addClient(connecting);
    expect(connecting.sent.map((m) => JSON.parse(m).type)).toEqual(["rejections", "service-colors"]);
    await tick();
    expect(connected.sent.map((m) => JSON.parse(m).type).sort()).toEqual(["rejections", "service-colors", "traces"]);
    expect(builds).toBe(1);
    // The one that connected has them already: it gets only what it did not.
    expect(connecting.sent.map((m) => JSON.parse(m).type)).toEqual(["rejections", "service-colors", "traces"]);

    // A state changed again after the connect goes to both once, in its newest form.
    hub.publishState("rejections", rejections(2));
    const third = stuckClient();
    hub.addClient(third);
    hub.publishState("rejections", rejections(3));
    await tick();
    const rejectionCounts = (client: typeof connected) =>
      client.sent.map((m) => JSON.parse(m)).flatMap((m) => (m.type === "rejections" ? [m.rejectedRequests] : []));
    expect(rejectionCounts(connected)).toEqual([1, 3]);
    expect(rejectionCounts(connecting)).toEqual([1, 3]);
    expect(rejectionCounts(third)).toEqual([2, 3]);

    // Two connects in one tick, each after a different change: each client gets what it was not sent.
    hub.publishState("rejections", rejections(4));
    const fourth = stuckClient();
    hub.addClient(fourth);
    hub.publishState("service-colors", colors);
    const fifth = stuckClient();
    hub.addClient(fifth);
    await tick();
    const sentSince = (client: typeof connected, from: number) =>
      client.sent
        .slice(from)
        .map((m) => JSON.parse(m))
        .map((m) => (m.type === "rejections" ? `rejections ${m.rejectedRequests}` : m.type));
    expect(sentSince(third, 3).sort()).toEqual(["rejections 4", "service-colors"]);
    expect(sentSince(fourth, 2)).toEqual(["service-colors"]);
    expect(sentSince(fifth, 2)).toEqual([]);
    hub.close();
  });

  it("coalesces list items per tick into one bounded message", async () => {
    const hub = createLiveHub({ getSummaries: () => [], getLatest: () => [], tickMs: 5, maxQueuedItems: 3 });
    const client = stuckClient();
    hub.addClient(client);
    const build = (events: number[]) => ({ type: "sdk-events", events }) as never;
    for (let i = 1; i <= 5; i++) hub.publishItems("sdk-events", [i], build);
    await tick();
    expect(client.sent.map((m) => JSON.parse(m))).toEqual([{ type: "sdk-events", events: [3, 4, 5] }]);
    hub.close();
  });

  it("tells a client resynced after it was skipped how many list items it missed, as omitted", async () => {
    const hub = createLiveHub({ getSummaries: () => [], getLatest: () => [], tickMs: 1, softLimitBytes: 100 });
    const slow = stuckClient();
    hub.addClient(slow);
    const build = (logs: number[], omitted: number) =>
      (omitted > 0 ? { type: "logs", logs, omitted } : { type: "logs", logs }) as never;
    slow.queued = 500;
    hub.publishItems("logs", [1, 2, 3], build);
    await tick();
    hub.publishItems("logs", [4], build);
    await tick();
    expect(slow.sent).toEqual([]);
    // It drains while more arrive: that tick's items, after a count of the four it missed.
    slow.queued = 0;
    hub.publishItems("logs", [5], build);
    await tick();
    expect(slow.sent.map((m) => JSON.parse(m))).toEqual([{ type: "logs", logs: [5], omitted: 4 }]);
    // Skipped again, then drained with nothing new: a message of no items says how many it missed.
    slow.queued = 500;
    hub.publishItems("logs", [6, 7], build);
    await tick();
    slow.queued = 0;
    const deadline = Date.now() + 5000;
    while (slow.sent.length === 1 && Date.now() < deadline) await tick();
    expect(slow.sent.slice(1).map((m) => JSON.parse(m))).toEqual([{ type: "logs", logs: [], omitted: 2 }]);
    hub.close();
  });

  it("tells a list message how many older items its bound left out, counted afresh each tick", async () => {
    const hub = createLiveHub({ getSummaries: () => [], getLatest: () => [], tickMs: 5, maxQueuedItems: 3 });
    const client = stuckClient();
    hub.addClient(client);
    const build = (logs: number[], omitted: number) => ({ type: "logs", logs, omitted }) as never;
    hub.publishItems("logs", [1, 2], build);
    hub.publishItems("logs", [3, 4, 5, 6], build);
    await tick();
    hub.publishItems("logs", [7], build);
    await tick();
    expect(client.sent.map((m) => JSON.parse(m))).toEqual([
      { type: "logs", logs: [4, 5, 6], omitted: 3 },
      { type: "logs", logs: [7], omitted: 0 },
    ]);
    hub.close();
  });

  it("lives through a store that cannot read its file, and sends what it held back once the store reads again", async () => {
    let readable = false;
    const unreadable = new Error("the store could not read its file");
    const read = <T>(value: () => T) =>
      readable
        ? value()
        : (() => {
            throw unreadable;
          })();
    const hub = createLiveHub({
      getSummaries: (ids) => read(() => ids.map(summary)),
      getLatest: () => read(() => [summary("latest")]),
      tickMs: 1,
    });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      const client = stuckClient();
      // Connecting: no snapshot can be read, and nothing throws out of the socket's handler.
      hub.addClient(client);
      hub.tracesChanged(["t1"]);
      hub.publishState("breakpoints", () =>
        read(() => ({ type: "breakpoints", breakpoints: [], killSwitch: false }) as unknown as LiveMessage),
      );
      await tick();
      expect(uncaught).toEqual([]);
      expect(client.sent).toEqual([]);
      readable = true;
      // Tried again about a second later: the snapshot, then the state.
      await expect.poll(() => client.sent.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
      const sent = client.sent.map(
        (data) => JSON.parse(data) as { type: string; snapshot?: boolean; traces?: unknown[] },
      );
      expect(sent.find((message) => message.snapshot === true)?.traces).toHaveLength(1);
      expect(sent.some((message) => message.type === "breakpoints")).toBe(true);
      // A change while the file cannot be read goes out once it can.
      readable = false;
      client.sent = [];
      hub.tracesChanged(["t2"]);
      await tick();
      expect(client.sent).toEqual([]);
      readable = true;
      await expect.poll(() => client.sent.length, { timeout: 5000 }).toBe(1);
      expect(client.sent.map((data) => JSON.parse(data))).toMatchObject([
        { type: "traces", traces: [{ traceId: "t2" }] },
      ]);
      expect(uncaught).toEqual([]);
    } finally {
      process.off("uncaughtException", onUncaught);
      hub.close();
    }
  });
});
