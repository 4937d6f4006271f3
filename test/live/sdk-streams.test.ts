import { describe, expect, it } from "vitest";
import { createSdkStreams, type SdkStreamClient } from "../../src/live/sdk-streams.js";

function client(): SdkStreamClient & { events: string[]; queued: number; closed: boolean } {
  const c = {
    events: [] as string[],
    queued: 0,
    closed: false,
    send(event: string, data: string) {
      c.events.push(`${event} ${data}`);
      c.queued += data.length;
      return c.queued;
    },
    close() {
      c.closed = true;
    },
  };
  return c;
}

describe("SDK event streams", () => {
  it("sends to one service's streams or to all, and counts them", () => {
    let changes = 0;
    const streams = createSdkStreams({ onChange: () => changes++ });
    const a = client();
    const b = client();
    const removeA = streams.add("checkout", a);
    streams.add("billing", b);
    expect(streams.counts()).toEqual({ checkout: 1, billing: 1 });
    streams.broadcast("checkout", "breakpoint_updated", "{}");
    streams.broadcast(null, "kill_switch", '{"enabled":true}');
    expect(a.events).toEqual(["breakpoint_updated {}", 'kill_switch {"enabled":true}']);
    expect(b.events).toEqual(['kill_switch {"enabled":true}']);
    removeA?.();
    expect(streams.counts()).toEqual({ billing: 1 });
    expect(changes).toBe(3);
    streams.close();
    expect(b.closed).toBe(true);
    expect(streams.add("late", client())).toBeNull();
  });

  it("drops a stream whose reader has stopped, and refuses streams past the bound", () => {
    const streams = createSdkStreams({ maxQueuedBytes: 10, maxStreams: 1 });
    const slow = client();
    streams.add("checkout", slow);
    expect(streams.add("checkout", client())).toBeNull();
    streams.broadcast("checkout", "breakpoint_updated", "0123456789abc");
    expect(slow.closed).toBe(true);
    expect(streams.counts()).toEqual({});
    streams.close();
  });

  it("sends heartbeats", async () => {
    const streams = createSdkStreams({ heartbeatMs: 5 });
    const c = client();
    streams.add("checkout", c);
    const deadline = Date.now() + 5000;
    while (c.events.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(c.events[0]).toMatch(/^heartbeat \{"time":"/);
    streams.close();
  });
});
