import { describe, expect, it } from "vitest";
import { perSecondText, servicesText } from "../../src/mcp/services-text.js";
import type { ServiceStatsJson } from "../../src/protocol.js";

const stats = (name: string, fields: Partial<ServiceStatsJson> = {}): ServiceStatsJson => ({
  name,
  spanCount: 6,
  errorCount: 2,
  traceCount: 2,
  errorRate: 0.5,
  p50Ms: 12,
  p95Ms: 40,
  p99Ms: 41,
  basis: "entry",
  requestCount: 2,
  requestErrorCount: 1,
  ratePerSec: 0.5,
  ...fields,
});

describe("list_services text", () => {
  it("names each count of failures by what it counts: spans failed beside requests failed and their share", () => {
    const text = servicesText([
      stats("shop"),
      stats("nightly", { basis: "root", requestCount: 3, requestErrorCount: 0, errorRate: 0, errorCount: 0 }),
    ]);
    const [header, shop, nightly] = text.split("\n");
    expect(header?.split(/ {2,}/)).toEqual([
      "service",
      "traces",
      "spans",
      "spans failed",
      "requests",
      "requests failed",
      "% requests failed",
      "requests/s",
      "p50",
      "p95",
      "p99",
    ]);
    expect(shop?.split(/ {2,}/)).toEqual(["shop", "2", "6", "2", "2", "1", "50.0%", "0.50", "12ms", "40ms", "41ms"]);
    expect(nightly?.split(/ {2,}/).slice(4, 7)).toEqual(["3 (root spans)", "0", "0.0%"]);
    // The legend says what the columns count, under the table.
    expect(text).toContain("\n\nrequests: entry spans (SERVER, CONSUMER)");
    expect(text).toContain("estimated within 2.2%, never\n  above the slowest request or below the fastest");
    expect(text).toMatch(/spans, spans failed: every span of the service, of any kind, and those with status ERROR/);
  });

  it("groups the digits of its counts, as every MCP answer writes them", () => {
    const big = {
      traceCount: 12_000,
      spanCount: 1_234_567,
      errorCount: 4_500,
      requestCount: 23_456,
      requestErrorCount: 1_200,
    };
    const [, entry] = servicesText([stats("api", big)]).split("\n");
    expect(entry?.split(/ {2,}/).slice(1, 6)).toEqual(["12,000", "1,234,567", "4,500", "23,456", "1,200"]);
    const [, root] = servicesText([stats("cron", { ...big, basis: "root" })]).split("\n");
    expect(root?.split(/ {2,}/)[4]).toBe("23,456 (root spans)");
  });

  it("writes no share of failed requests for a service without any, and a slow rate without rounding it to nothing", () => {
    const text = servicesText([stats("lib", { basis: "root", requestCount: 0, requestErrorCount: 0, errorRate: 0 })]);
    expect(text.split("\n")[1]?.split(/ {2,}/)[6]).toBe("–");
    expect(perSecondText(0)).toBe("0");
    expect(perSecondText(12.345)).toBe("12.35");
    expect(perSecondText(0.0033)).toBe("0.0033");
    expect(perSecondText(2.1e-8)).toBe("< 0.0001");
  });
});
