import { describe, expect, it } from "vitest";
import { chartOf, chartsOf, type MetricDescriptor, measuresSamples, movesByOne } from "../../src/domain/metric.js";

function tracekitGauge(name: string, unit = ""): MetricDescriptor {
  return { name, description: "", unit, kind: "gauge", tracekit: true };
}

describe("a TraceKit SDK gauge's chart", () => {
  it("reads points that move by one as a histogram's samples when the metric measures durations or sizes", () => {
    // Whole milliseconds of a steady query: every change is ±1, as an inc() and dec() gauge's are.
    expect(movesByOne([3, 4, 3, 4, 5, 4, 3, 4, 5, 6, 5, 4])).toBe(true);
    for (const [name, unit] of [
      ["db.query.duration", "ms"],
      ["upload", "KiBy"],
      ["job", "seconds"],
      ["db.query.duration", ""],
      ["http_latency", ""],
      ["render_ms", ""],
      ["payload.bytes", ""],
      ["qa.render.time", ""],
      ["response_time", ""],
      ["queue-wait-time", ""],
    ] as const) {
      expect(measuresSamples(tracekitGauge(name, unit)), `${name} [${unit}]`).toBe(true);
      expect(chartOf(tracekitGauge(name, unit), true), `${name} [${unit}]`).toBe("distribution");
      expect(chartsOf(tracekitGauge(name, unit), true)).toEqual(["distribution", "value"]);
    }
  });

  it("keeps a level that inc() and dec() move as values when it counts things", () => {
    for (const [name, unit] of [
      ["connections.active", ""],
      ["queue.size", ""],
      ["jobs.running", "{job}"],
      ["workers", "1"],
      // A word ending in "time" is no time unless it is one.
      ["uptime", ""],
      ["overtime", ""],
      // A unit tag says what is counted, whatever the name says.
      ["request.duration.active", "{request}"],
    ] as const) {
      expect(measuresSamples(tracekitGauge(name, unit)), `${name} [${unit}]`).toBe(false);
      expect(chartOf(tracekitGauge(name, unit), true), `${name} [${unit}]`).toBe("value");
    }
    // Not a level: samples, whatever the unit.
    expect(chartOf(tracekitGauge("connections.active"), false)).toBe("distribution");
  });
});
