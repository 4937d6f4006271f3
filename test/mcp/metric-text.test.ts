import { describe, expect, it } from "vitest";
import { describeMetric } from "../../src/mcp/metric-text.js";
import type { MetricQueryResponse } from "../../src/protocol.js";

describe("describeMetric", () => {
  it("writes a percentile that is only a lower bound (in the open last bucket) as ≥ the bound", () => {
    const answer = {
      metric: { name: "slow", kind: "histogram", chart: "distribution", unit: "ms", description: "" },
      chart: "distribution",
      fromUnixMs: 0,
      toUnixMs: 60_000,
      stepMs: 60_000,
      times: [0],
      groupBy: null,
      series: [
        {
          label: "",
          attributes: {},
          values: [15],
          p50: [10],
          p95: [10],
          p99: [12],
          atLeast: { p50: [true], p95: [true] },
          counts: [10],
        },
      ],
      exemplars: [],
    } as unknown as MetricQueryResponse;
    const row = describeMetric(answer)
      .split("\n")
      .find((line) => line.includes("≥"));
    expect(row?.split(/\s{2,}|\s*\|\s*/).filter((cell) => cell !== "")).toEqual([
      "≥ 10ms",
      "≥ 10ms",
      "12ms",
      "10",
      "(all)",
    ]);
  });
});

describe("describeMetric of percentiles the buckets do not place", () => {
  const histogram = (times: number[], series: Record<string, unknown>) =>
    ({
      metric: { name: "h", kind: "histogram", chart: "distribution", unit: "ms", description: "" },
      chart: "distribution",
      fromUnixMs: 0,
      toUnixMs: 60_000 * times.length,
      stepMs: 60_000,
      times,
      groupBy: null,
      series: [{ label: "", attributes: {}, ...series }],
      exemplars: [],
    }) as unknown as MetricQueryResponse;
  const cellsOf = (text: string) =>
    text
      .split("\n")
      .find((line) => line.endsWith("(all)"))
      ?.split(/\s{2,}/);

  it("says unknown for values recorded without bounds to place them, not a dash or 0", () => {
    const text = describeMetric(histogram([0], { values: [5.5], p50: [null], p95: [null], p99: [null], counts: [10] }));
    expect(cellsOf(text)).toEqual(["unknown", "unknown", "unknown", "10", "(all)"]);
    expect(text).toContain("unknown: the buckets do not place it");
  });

  it("reads the latest step with values, not an older step's figure, when its percentiles are unknown", () => {
    const text = describeMetric(
      histogram([0, 60_000], { values: [5, 5], p50: [4, null], p95: [9, null], p99: [9, null], counts: [3, 4] }),
    );
    expect(cellsOf(text)).toEqual(["unknown", "unknown", "unknown", "7", "(all)"]);
    // A step without values is passed over, as before.
    const older = describeMetric(
      histogram([0, 60_000], { values: [5, null], p50: [4, null], p95: [9, null], p99: [9, null], counts: [3, 0] }),
    );
    expect(cellsOf(older)).toEqual(["4ms", "9ms", "9ms", "3", "(all)"]);
  });
});

describe("describeMetric of a counter", () => {
  const counter = (series: unknown[]) =>
    ({
      metric: { name: "messages.sent", kind: "sum", chart: "rate", unit: "{message}", description: "" },
      chart: "rate",
      fromUnixMs: 0,
      toUnixMs: 240_000,
      stepMs: 60_000,
      times: [0, 60_000, 120_000, 180_000],
      groupBy: null,
      series,
      exemplars: [],
    }) as unknown as MetricQueryResponse;
  const cells = (text: string, label: string) =>
    text
      .split("\n")
      .find((line) => line.endsWith(label))
      ?.split(/\s{2,}/);

  it("averages the increase over the time it was counted, as the Metrics page does, not the steps' rates", () => {
    // Started 30 s into the second step: 15 in its last 30 s (0.5/s there), then 60 and 60 (1/s).
    // 135 over the 150 s counted is 0.9/s; the mean of the three steps' rates would say 0.8333.
    const text = describeMetric(
      counter([
        {
          label: "queue=orders",
          attributes: {},
          values: [null, 0.5, 1, 1],
          increases: [null, 15, 60, 60],
          counted: { fromUnixMs: 90_000, toUnixMs: 240_000 },
        },
        // No counted (an older answer): over the whole window, 24 / 240 s.
        { label: "queue=audit", attributes: {}, values: [0.1, 0.1, null, 0.2], increases: [6, 6, null, 12] },
      ]),
    );
    expect(cells(text, "series")).toEqual(["latest", "min", "avg", "max", "increase", "series"]);
    expect(cells(text, "queue=orders")).toEqual([
      "1 messages/s",
      "0.5 messages/s",
      "0.9 messages/s",
      "1 messages/s",
      "135 messages",
      "queue=orders",
    ]);
    expect(cells(text, "queue=audit")).toEqual([
      "0.2 messages/s",
      "0.1 messages/s",
      "0.1 messages/s",
      "0.2 messages/s",
      "24 messages",
      "queue=audit",
    ]);
    expect(text).toContain("avg: the increase divided by the time it was counted");
  });

  it("writes a non-integer as the Metrics page does: three significant digits, no trailing .0", () => {
    const text = describeMetric(
      counter([
        {
          label: "queue=bytes",
          attributes: {},
          values: [100.04, 256.25, 0.123456, 1536.01 / 60],
          increases: [768.00000001, 768.00000001, null, null],
        },
      ]),
    );
    expect(cells(text, "queue=bytes")).toEqual([
      "25.6 messages/s",
      "0.123 messages/s",
      "6.4 messages/s",
      "256 messages/s",
      "1.54k messages",
      "queue=bytes",
    ]);
  });

  it("has no average or increase without a point in the window", () => {
    const text = describeMetric(counter([{ label: "", attributes: {}, values: [null, null, null, null] }]));
    expect(text.split("\n").slice(2)).toEqual(["No points in this window."]);
  });
});

describe("describeMetric's series labels", () => {
  it("keeps the attributes that tell series apart, at the end of a long label, and names points without group_by's key", () => {
    const shared = "gen_ai.operation.name=chat, gen_ai.provider.name=anthropic, gen_ai.request.model=claude-sonnet-4-5";
    const answer = (groupBy: string | null, labels: string[]) =>
      ({
        metric: { name: "gen_ai.client.token.usage", kind: "histogram", chart: "distribution", unit: "{token}" },
        chart: "distribution",
        fromUnixMs: 0,
        toUnixMs: 60_000,
        stepMs: 60_000,
        times: [0],
        groupBy,
        series: labels.map((label) => ({
          label,
          attributes: {},
          values: [1],
          p50: [1],
          p95: [1],
          p99: [1],
          counts: [1],
        })),
        exemplars: [],
      }) as unknown as MetricQueryResponse;
    const text = describeMetric(
      answer(null, [`${shared}, gen_ai.token.type=input`, `${shared}, gen_ai.token.type=output`]),
    );
    expect(text).toContain(`  ${shared}, gen_ai.token.type=input\n`);
    expect(text).toContain(`  ${shared}, gen_ai.token.type=output\n`);
    expect(describeMetric(answer("tenant", ["", "acme"]))).toMatch(/ {2}\(no tenant\)\n.* {2}acme\n/);
    expect(describeMetric(answer("*", [""]))).toMatch(/ {2}\(all series\)\n/);
  });
});

describe("describeMetric of a metric that stopped", () => {
  it("says when its newest point was, so latest is not read as now", () => {
    const answer = (values: (number | null)[]) =>
      ({
        metric: { name: "queue.depth", kind: "gauge", chart: "value", unit: "{message}", description: "" },
        chart: "value",
        fromUnixMs: 0,
        toUnixMs: 900_000,
        stepMs: 60_000,
        times: Array.from({ length: 15 }, (_, i) => i * 60_000),
        groupBy: null,
        series: [{ label: "", attributes: {}, values }],
        exemplars: [],
      }) as unknown as MetricQueryResponse;
    // Points until the fifth minute, none in the last ten.
    const stopped = describeMetric(answer([3, 4, 5, 7, 6, ...Array(10).fill(null)]));
    expect(stopped.split("\n")[2]).toBe(
      "no point since 1970-01-01T00:05:00.000Z (10m before the window's end): latest is the newest step with data, not now",
    );
    const current = describeMetric(answer([...Array(13).fill(null), 2, 3]));
    expect(current).not.toContain("no point since");
  });
});

describe("describeMetric of a window without points", () => {
  it("says there are none, and when the newest came, instead of a table of dashes", () => {
    const text = describeMetric({
      metric: {
        name: "tokens",
        kind: "histogram",
        chart: "distribution",
        unit: "{token}",
        description: "",
        lastTimeUnixNano: "240000000000",
      },
      chart: "distribution",
      fromUnixMs: 600_000,
      toUnixMs: 660_000,
      stepMs: 60_000,
      times: [600_000],
      groupBy: null,
      series: [
        { label: "type=input", attributes: {}, values: [null], p50: [null], p95: [null], p99: [null], counts: [null] },
      ],
      exemplars: [],
    } as unknown as MetricQueryResponse);
    expect(text.split("\n").slice(2)).toEqual([
      "No points in this window; the metric's newest came at 1970-01-01T00:04:00.000Z (pass an earlier since).",
    ]);
  });

  it("counts the values of the window in whole numbers, also when steps hold shares of a spread point", () => {
    const answer = {
      metric: { name: "latency", kind: "histogram", chart: "distribution", unit: "ms", description: "" },
      chart: "distribution",
      fromUnixMs: 0,
      toUnixMs: 120_000,
      stepMs: 60_000,
      times: [0, 60],
      groupBy: null,
      series: [
        { label: "", attributes: {}, values: [5, 6], p50: [5, 6], p95: [9, 9], p99: [9, 9], counts: [412.4, 830.3] },
      ],
      exemplars: [],
    } as unknown as MetricQueryResponse;
    const row = describeMetric(answer)
      .split("\n")
      .find((line) => line.includes("(all)"));
    expect(row?.split(/\s{2,}|\s*\|\s*/).filter((cell) => cell !== "")).toContain("1243");
  });
});

describe("describeMetric of several series of a histogram", () => {
  const series = (label: string, p95: number) => ({
    label,
    attributes: {},
    values: [p95 / 2],
    p50: [p95 / 4],
    p95: [p95],
    p99: [p95],
    counts: [10],
  });
  const answer = (rows: unknown[]) =>
    ({
      metric: { name: "latency", kind: "histogram", chart: "distribution", unit: "ms", description: "" },
      chart: "distribution",
      fromUnixMs: 0,
      toUnixMs: 60_000,
      stepMs: 60_000,
      times: [0],
      groupBy: "route",
      series: rows,
      windowPercentiles: { p50: 6, p95: 900, p99: 1000, atLeast: { p99: true } },
      exemplars: [],
    }) as unknown as MetricQueryResponse;

  it("adds the window's percentiles of all series together, as the API gives them (≥ for a lower bound)", () => {
    const text = describeMetric(answer([series("route=/a", 8), series("route=/b", 800)]));
    expect(text).toContain(
      "\nall series together: p50 6ms, p95 900ms, p99 ≥ 1s (of every value in the window, as the Metrics page shows above its chart)\n",
    );
  });

  it("says nothing more for one series: its row is those figures", () => {
    expect(describeMetric(answer([series("route=/a", 8)]))).not.toContain("all series together");
  });
});

describe("describeMetric's units", () => {
  const answer = (metric: Record<string, string>, chart: string, series: unknown[]) =>
    ({
      metric: { description: "", ...metric, chart },
      chart,
      fromUnixMs: 0,
      toUnixMs: 120_000,
      stepMs: 60_000,
      times: [0, 60_000],
      groupBy: null,
      series,
      exemplars: [],
    }) as unknown as MetricQueryResponse;
  const cells = (text: string, label: string) =>
    text
      .split("\n")
      .find((line) => line.endsWith(label))
      ?.split(/\s{2,}/);

  it("writes a gauge's values in its unit as the Metrics page does (Cel as °C), and names the unit as sent", () => {
    const text = describeMetric(
      answer({ name: "room.temperature", kind: "gauge", unit: "Cel" }, "value", [
        { label: "room=lab", attributes: {}, values: [21.5, 22] },
      ]),
    );
    expect(text.split("\n")[0]).toBe("room.temperature (gauge, value, unit °C (sent as Cel))");
    expect(cells(text, "room=lab")).toEqual(["22 °C", "21.5 °C", "21.8 °C", "22 °C", "room=lab"]);
  });

  it("writes a byte counter's rates and increase in KiB and MiB, and what is counted by its name", () => {
    const bytes = describeMetric(
      answer({ name: "net.io", kind: "sum", unit: "By" }, "rate", [
        { label: "dir=rx", attributes: {}, values: [1536, 2048], increases: [92_160, 122_880] },
      ]),
    );
    expect(bytes.split("\n")[0]).toBe("net.io (sum, rate per second, unit bytes (sent as By))");
    expect(cells(bytes, "dir=rx")).toEqual(["2 KiB/s", "1.5 KiB/s", "1.75 KiB/s", "2 KiB/s", "210 KiB", "dir=rx"]);
    const requests = describeMetric(
      answer({ name: "http.requests", kind: "sum", unit: "{request}" }, "rate", [
        { label: "", attributes: {}, values: [0.5, 2], increases: [30, 120] },
      ]),
    );
    expect(cells(requests, "(all)")).toEqual([
      "2 requests/s",
      "0.5 requests/s",
      "1.25 requests/s",
      "2 requests/s",
      "150 requests",
      "(all)",
    ]);
  });

  it("writes a share of a whole (unit 1, a utilization in [0, 1]) as a percentage, as the page does", () => {
    const text = describeMetric(
      answer({ name: "system.cpu.utilization", kind: "gauge", unit: "1" }, "value", [
        { label: "", attributes: {}, values: [0.25, 0.5] },
      ]),
    );
    expect(text.split("\n")[0]).toBe("system.cpu.utilization (gauge, value)");
    expect(cells(text, "(all)")).toEqual(["50%", "25%", "37.5%", "50%", "(all)"]);
  });
});
