import { describe, expect, it } from "vitest";
import type { OperationStatsJson } from "../../src/protocol";
import {
  basisNote,
  INTERNAL_SHOWN,
  operationSections,
  operationTracesHref,
  windowListSince,
} from "../../web/src/features/services/operations-model";

const op = (group: OperationStatsJson["group"], name: string): OperationStatsJson => ({
  group,
  kind: group === "entry" ? "SERVER" : group === "outgoing" ? "CLIENT" : "INTERNAL",
  nested: false,
  name,
  peer: null,
  query: `name="${name}"`,
  count: 1,
  errorCount: 0,
  errorRate: 0,
  ratePerSec: 1,
  p50Ms: 1,
  p95Ms: 1,
  p99Ms: 1,
});

describe("operations model", () => {
  it("lists the internal operations that take the most time beside entry spans and folds the rest; a job's own ones whole", () => {
    // A middleware span per request, as often as the slow computation named last: that one comes first.
    const middleware = Array.from({ length: INTERNAL_SHOWN + 4 }, (_, i) => ({
      ...op("internal", `middleware - ${i}`),
      count: 40,
      p50Ms: 1 + i / 100,
    }));
    const compute = { ...op("internal", "zz compute-stock"), count: 40, p50Ms: 280 };
    const busier = { ...op("internal", "log"), count: 4000, p50Ms: 0.005 };
    const ops = [op("entry", "GET /a"), busier, ...middleware, compute];
    const sections = operationSections({ basis: "entry" }, ops);
    const byTime = [compute, ...middleware.slice().reverse(), busier];
    expect(sections.internal).toEqual(byTime.slice(0, INTERNAL_SHOWN));
    expect(sections.moreInternal).toEqual(byTime.slice(INTERNAL_SHOWN));
    // A job's internal operations are its own: every one, busiest first as the server sends them.
    const job = [busier, ...middleware, compute];
    expect(operationSections({ basis: "root" }, job)).toMatchObject({ internal: job, moreInternal: [] });
  });

  it("links an operation to its service's traces matching its query, slowest first", () => {
    const href = operationTracesHref("api", { query: 'service="api" kind=server operation="GET /a b"' });
    const params = new URLSearchParams(href.slice(2));
    expect(href.startsWith("/?")).toBe(true);
    expect(params.get("service")).toBe("api");
    expect(params.get("q")).toBe('service="api" kind=server operation="GET /a b"');
    expect(params.get("sort")).toBe("duration");
    expect(params.has("since")).toBe(false);
  });

  it("keeps the page's window in the link, from the start of its first minute as the numbers count spans", () => {
    const since = Date.UTC(2026, 0, 2, 10, 14, 37, 250);
    const href = operationTracesHref("api", { query: 'service="api"' }, since);
    expect(new URLSearchParams(href.slice(2)).get("since")).toBe(String(Date.UTC(2026, 0, 2, 10, 14)));
    expect(windowListSince(undefined)).toBeUndefined();
  });

  it("puts entry operations, nested ones, outgoing calls and internal ones apart, with or without entry spans", () => {
    const nested = { ...op("entry", "GET /a"), nested: true };
    const ops = [op("entry", "GET /a"), op("outgoing", "SELECT"), op("internal", "render"), nested];
    // Beside entry spans too: an INTERNAL span (a slow computation) can be why the requests are slow.
    expect(operationSections({ basis: "entry" }, ops)).toEqual({
      entry: [ops[0]],
      nested: [nested],
      outgoing: [ops[1]],
      internal: [ops[2]],
      moreInternal: [],
      ownInternal: false,
    });
    expect(operationSections({ basis: "root" }, ops)).toMatchObject({ internal: [ops[2]], ownInternal: true });
    // Read after "its row above counts" in the panel's heading: a phrase, not a second "label: text".
    expect(basisNote({ basis: "entry", requestCount: 3 })).toBe(
      "requests: SERVER and CONSUMER spans, not those nested in another",
    );
    expect(basisNote({ basis: "root", requestCount: 3 })).toBe("its root spans, as it has no entry spans");
    expect(basisNote({ basis: "root", requestCount: 0 })).toBe(
      "nothing: no entry or root spans, only calls inside other services' traces",
    );
  });
});
