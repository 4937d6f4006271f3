import { describe, expect, it } from "vitest";
import { peerOf, serviceMapOf } from "../../src/domain/service-map.js";
import { OPEN_QUIET_MS, ServiceTraffic } from "../../src/domain/service-traffic.js";
import type { Span } from "../../src/domain/span.js";
import { makeSpan } from "../store/span-fixtures.js";

const span = (trace: number, id: number, parent: number | null, service: string, kind: Span["kind"]): Span => ({
  ...makeSpan({ trace, span: id, parent, service, start: 0, end: 10 }),
  kind,
});

/** Node calls and edges as `id calls` lines. */
function picture(traffic: ServiceTraffic): string[] {
  const map = serviceMapOf(traffic.tally());
  return [...map.nodes.map((n) => `${n.id} ${n.calls}`), ...map.edges.map((e) => `${e.from} → ${e.to} ${e.calls}`)];
}

describe("ServiceTraffic: arrival state of open traces", () => {
  it("keeps it for at most `openTraces` traces, and drops a quiet trace's", () => {
    let now = 0;
    const traffic = new ServiceTraffic(peerOf, { now: () => now, openTraces: 3 });
    for (let t = 1; t <= 10; t++) traffic.add(span(t, 1, null, "web", "SERVER"));
    expect(traffic.openTraces).toBe(3);
    now += OPEN_QUIET_MS + 1;
    traffic.add(span(11, 1, null, "web", "SERVER"));
    // The three older ones were quiet: only the new one is open.
    expect(traffic.openTraces).toBe(1);
    expect(picture(traffic)).toEqual(["service:web 11"]);
  });

  it("counts a late span of a dropped trace without its trace: no edge, and no entry unless it enters its service", () => {
    let now = 0;
    const traffic = new ServiceTraffic(peerOf, { now: () => now });
    traffic.add(span(1, 1, null, "web", "SERVER"));
    traffic.add(span(1, 2, 1, "web", "CLIENT"));
    now += OPEN_QUIET_MS + 1;
    traffic.add(span(2, 1, null, "other", "SERVER")); // a new trace drops the quiet one
    expect(traffic.openTraces).toBe(1);
    // Late: web's own INTERNAL child (no entry), and checkout's SERVER span called by web's CLIENT span.
    traffic.add(span(1, 3, 1, "web", "INTERNAL"));
    traffic.add(span(1, 4, 2, "checkout", "SERVER"));
    expect(picture(traffic)).toEqual(["service:checkout 1", "service:other 1", "service:web 1"]);
    // Had the trace stayed open, the same spans make an edge.
    const open = new ServiceTraffic(peerOf);
    for (const s of [
      span(1, 1, null, "web", "SERVER"),
      span(1, 2, 1, "web", "CLIENT"),
      span(1, 3, 1, "web", "INTERNAL"),
      span(1, 4, 2, "checkout", "SERVER"),
    ])
      open.add(s);
    expect(picture(open)).toEqual(["service:checkout 1", "service:web 1", "service:web → service:checkout 1"]);
  });

  it("still forgets an evicted trace whose arrival state was dropped", () => {
    const traffic = new ServiceTraffic(peerOf, { openTraces: 1 });
    traffic.add(span(1, 1, null, "web", "SERVER"));
    traffic.add(span(2, 1, null, "web", "SERVER"));
    expect(traffic.openTraces).toBe(1);
    traffic.evict(makeSpan({ trace: 1, span: 1 }).traceId);
    expect(picture(traffic)).toEqual(["service:web 1"]);
    expect(traffic.tally().traces).toBe(1);
  });
});
