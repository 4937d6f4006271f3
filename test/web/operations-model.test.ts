import { describe, expect, it } from "vitest";
import type { OperationStatsJson } from "../../src/protocol";
import {
  basisNote,
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

  it("puts entry operations, nested ones and outgoing calls apart, and internal ones only without entry spans", () => {
    const nested = { ...op("entry", "GET /a"), nested: true };
    const ops = [op("entry", "GET /a"), op("outgoing", "SELECT"), op("internal", "render"), nested];
    expect(operationSections({ basis: "entry" }, ops)).toEqual({
      entry: [ops[0]],
      nested: [nested],
      outgoing: [ops[1]],
      internal: null,
    });
    expect(operationSections({ basis: "root" }, ops).internal).toEqual([ops[2]]);
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
