import { describe, expect, it } from "vitest";
import {
  axisTicks,
  axisTitle,
  formatMetricValue,
  metricUnit,
  parseUnit,
  unitLabel,
  unitName,
} from "../../src/domain/metric-units.js";

const fmt = (value: number | null, unit: string, perSecond = false) =>
  formatMetricValue(value, parseUnit(unit), perSecond);

describe("parseUnit", () => {
  it("reads durations, bytes, ratios and annotations", () => {
    expect(parseUnit("ms")).toMatchObject({ kind: "duration", scale: 1e-3 });
    expect(parseUnit("s")).toMatchObject({ kind: "duration", scale: 1 });
    expect(parseUnit("us")).toMatchObject({ kind: "duration", scale: 1e-6 });
    expect(parseUnit("ns")).toMatchObject({ kind: "duration", scale: 1e-9 });
    expect(parseUnit("By")).toMatchObject({ kind: "bytes", scale: 1 });
    expect(parseUnit("KiBy")).toMatchObject({ kind: "bytes", scale: 1024 });
    expect(parseUnit("MBy")).toMatchObject({ kind: "bytes", scale: 1e6 });
    expect(parseUnit("%")).toMatchObject({ kind: "percent" });
    expect(parseUnit("1")).toMatchObject({ kind: "count", word: "" });
    expect(parseUnit("{request}")).toMatchObject({ kind: "count", word: "request", plural: "requests" });
    expect(parseUnit("{query}")).toMatchObject({ plural: "queries" });
    expect(parseUnit("")).toMatchObject({ kind: "count", word: "" });
    expect(parseUnit("By/s")).toMatchObject({ kind: "bytes", per: "/s" });
    expect(parseUnit("{packet}/s")).toMatchObject({ kind: "count", plural: "packets", per: "/s" });
    expect(parseUnit("By{compressed}")).toMatchObject({ kind: "bytes" });
    expect(parseUnit("Cel")).toMatchObject({ kind: "measure", word: "°C", scale: 1 });
    expect(parseUnit("kW")).toMatchObject({ kind: "measure", word: "W", scale: 1e3 });
    expect(parseUnit("lx")).toMatchObject({ kind: "count", word: "lx", plural: "lx" });
  });
});

describe("formatMetricValue", () => {
  it("writes durations in the unit their size calls for", () => {
    // As formatDuration writes a span's duration everywhere else, the unit right after the number.
    expect(fmt(0.0123, "s")).toBe("12.3ms");
    expect(fmt(1.5, "s")).toBe("1.5s");
    expect(fmt(95, "ms")).toBe("95ms");
    expect(fmt(1534, "ms")).toBe("1.53s");
    expect(fmt(420, "us")).toBe("420µs");
    expect(fmt(42, "ns")).toBe("42ns");
    expect(fmt(95, "s")).toBe("1m 35s");
    expect(fmt(7200, "s")).toBe("2h");
    expect(fmt(0, "s")).toBe("0s");
    expect(fmt(1.5, "s/s")).toBe("1.5s/s");
  });

  it("writes bytes in binary units", () => {
    expect(fmt(1536, "By")).toBe("1.5 KiB");
    expect(fmt(512, "By")).toBe("512 B");
    expect(fmt(3, "MiBy")).toBe("3 MiB");
    expect(fmt(2048, "By", true)).toBe("2 KiB/s");
  });

  it("writes percentages, and ratios as percentages", () => {
    const ratio = metricUnit("system.cpu.utilization", "1", [0.42]);
    expect(formatMetricValue(0.42, ratio)).toBe("42%");
    expect(fmt(42, "%")).toBe("42%");
    expect(formatMetricValue(0.005, ratio)).toBe("0.5%");
  });

  it("writes counted things as the word", () => {
    expect(fmt(3, "{request}")).toBe("3 requests");
    expect(fmt(1, "{request}")).toBe("1 request");
    expect(fmt(0.0467, "{request}", true)).toBe("0.0467 requests/s");
    expect(fmt(12_500, "{request}")).toBe("12.5k requests");
    expect(fmt(12, "")).toBe("12");
    expect(fmt(12, "lx")).toBe("12 lx");
    expect(fmt(null, "s")).toBe("–");
    expect(fmt(Number.NaN, "s")).toBe("–");
  });

  it("writes the dimensionless unit 1 as a plain number", () => {
    // UCUM's "1": a gauge at 10 is 10, not 1000%; a histogram's p50 of 1 is 1, not 100%.
    expect(fmt(10, "1")).toBe("10");
    expect(fmt(1, "1")).toBe("1");
    expect(fmt(1.9, "1")).toBe("1.9");
    expect(formatMetricValue(10, metricUnit("my.gauge", "1", [10]))).toBe("10");
    expect(axisTicks(0, 10, metricUnit("my.gauge", "1", [10]), 5).labels).toEqual(["0", "2", "4", "6", "8", "10"]);
  });
});

describe("the UCUM units of OpenTelemetry's semantic conventions", () => {
  it("writes each in its word or symbol, never as the UCUM code", () => {
    expect(fmt(22, "Cel")).toBe("22 °C");
    expect(fmt(-4.25, "Cel")).toBe("-4.25 °C");
    expect(fmt(0, "Cel")).toBe("0 °C");
    expect(fmt(1500, "Cel")).toBe("1500 °C");
    expect(fmt(71.6, "[degF]")).toBe("71.6 °F");
    expect(fmt(300, "K")).toBe("300 K");
    expect(fmt(1536, "By")).toBe("1.5 KiB");
    expect(fmt(2048, "By/s")).toBe("2 KiB/s");
    expect(fmt(0.25, "s")).toBe("250ms");
    expect(fmt(250, "ms")).toBe("250ms");
    expect(fmt(3, "{request}")).toBe("3 requests");
    expect(fmt(42, "%")).toBe("42%");
    expect(fmt(7, "1")).toBe("7");
    expect(fmt(2.4e9, "Hz")).toBe("2.4 GHz");
    expect(fmt(50, "Hz")).toBe("50 Hz");
    expect(fmt(150, "W")).toBe("150 W");
    expect(fmt(1500, "W")).toBe("1.5 kW");
    expect(fmt(0.5, "W")).toBe("500 mW");
    expect(fmt(3.6e6, "J")).toBe("3.6 MJ");
    expect(fmt(1.2, "kJ")).toBe("1.2 kJ");
    expect(fmt(8, "bit")).toBe("8 bit");
    expect(fmt(1.5e6, "bit/s")).toBe("1.5 Mbit/s");
    expect(fmt(1200, "MHz")).toBe("1.2 GHz");
    expect(fmt(230, "V")).toBe("230 V");
    expect(fmt(0.02, "A")).toBe("20 mA");
    // A counter of joules: per second (watts, but written as what was counted).
    expect(fmt(12, "J", true)).toBe("12 J/s");
  });

  it("labels an axis of temperatures in °C on its ticks, with no Cel beside it", () => {
    const unit = parseUnit("Cel");
    expect(axisTicks(20, 24, unit, 2).labels).toEqual(["20 °C", "22 °C", "24 °C"]);
    expect(axisTitle(unit, false)).toBe("");
    expect(axisTicks(0, 3e9, parseUnit("Hz"), 3).labels).toEqual(["0 GHz", "1 GHz", "2 GHz", "3 GHz"]);
    expect(axisTicks(0, 2000, parseUnit("W"), 2).labels).toEqual(["0 kW", "1 kW", "2 kW"]);
  });
});

describe("metricUnit", () => {
  it("reads 1 as a ratio only where the name says so and every value lies in [0, 1]", () => {
    expect(metricUnit("system.cpu.utilization", "1", [0, 0.5, 1]).kind).toBe("ratio");
    expect(metricUnit("cache.hit_ratio", "1", [0.9, null]).kind).toBe("ratio");
    expect(metricUnit("process.memory.usage", "1", [0.25]).kind).toBe("ratio");
    expect(metricUnit("jvm.cpu.recent_utilization", "1").kind).toBe("ratio");
    expect(metricUnit("system.cpu.utilization", "1", [0.5, 4]).kind).toBe("count");
    expect(metricUnit("my.gauge", "1", [0.5]).kind).toBe("count");
    expect(metricUnit("queue.ratio.count", "1", [0.5]).kind).toBe("count");
    expect(metricUnit("system.cpu.utilization", "%", [50]).kind).toBe("percent");
    expect(metricUnit("http.server.request.duration", "s", [0.5]).kind).toBe("duration");
  });
});

describe("axisTicks", () => {
  it("places duration ticks at round numbers of one display unit", () => {
    const ticks = axisTicks(0, 0.1, parseUnit("s"), 5);
    expect(ticks.labels).toEqual(["0ms", "20ms", "40ms", "60ms", "80ms", "100ms"]);
    expect(ticks.values[1]).toBeCloseTo(0.02);
  });

  it("keeps ticks in the stored unit while labelling in the display unit", () => {
    const ticks = axisTicks(0, 2500, parseUnit("ms"), 5);
    expect(ticks.labels).toEqual(["0s", "0.5s", "1s", "1.5s", "2s", "2.5s"]);
    expect(ticks.values).toEqual([0, 500, 1000, 1500, 2000, 2500]);
  });

  it("uses binary steps for bytes", () => {
    const ticks = axisTicks(0, 1024 * 1024, parseUnit("By"), 4);
    expect(ticks.labels).toEqual(["0 MiB", "0.25 MiB", "0.5 MiB", "0.75 MiB", "1 MiB"]);
  });

  it("writes ratios as percentages and rates per second", () => {
    expect(axisTicks(0, 1, metricUnit("x.ratio", "1", [1]), 4).labels).toEqual(["0%", "25%", "50%", "75%", "100%"]);
    expect(axisTicks(0, 3, parseUnit("{request}"), 3, true).labels).toEqual(["0", "1", "2", "3"]);
    expect(axisTitle(parseUnit("{request}"), true)).toBe("requests/s");
    expect(axisTitle(parseUnit(""), true)).toBe("per second");
    expect(axisTitle(parseUnit(""), false)).toBe("");
    expect(axisTitle(parseUnit("ms"), true)).toBe("");
    expect(axisTicks(0, 4096, parseUnit("By"), 4, true).labels).toEqual([
      "0 KiB/s",
      "1 KiB/s",
      "2 KiB/s",
      "3 KiB/s",
      "4 KiB/s",
    ]);
    expect(axisTicks(0, 20_000, parseUnit(""), 2).labels).toEqual(["0", "10,000", "20,000"]);
  });

  it('writes counts as plain numbers apart in thousands, and 0 as 0 (an overview chart read "0k / 1k")', () => {
    expect(axisTicks(0, 1100, parseUnit(""), 3).labels).toEqual(["0", "500", "1,000"]);
    expect(axisTicks(0, 2600, parseUnit("{request}"), 3).labels).toEqual(["0", "1,000", "2,000"]);
    expect(axisTicks(0, 250_000, parseUnit(""), 3).labels).toEqual(["0", "100k", "200k"]);
    expect(axisTicks(0, 3e6, parseUnit(""), 3).labels).toEqual(["0", "1M", "2M", "3M"]);
  });

  it("copes with a flat range and nonsense", () => {
    expect(axisTicks(5, 5, parseUnit(""), 4).values).toContain(5);
    expect(axisTicks(1, 0, parseUnit(""), 4).values).toEqual([]);
    expect(axisTicks(0, Number.NaN, parseUnit(""), 4).values).toEqual([]);
  });
});

describe("unitLabel", () => {
  it("names a unit as sent, and UCUM's dimensionless 1 as no unit", () => {
    expect(unitLabel("1")).toBe("");
    expect(unitLabel(" 1 ")).toBe("");
    expect(unitLabel("")).toBe("");
    expect(unitLabel("ms")).toBe("ms");
    expect(unitLabel("{request}")).toBe("{request}");
    expect(unitLabel("1/s")).toBe("1/s");
  });
});

describe("unitName", () => {
  it("names a unit in the symbols its values are written with", () => {
    expect(unitName("Cel")).toBe("°C");
    expect(unitName("[degF]")).toBe("°F");
    expect(unitName("K")).toBe("K");
    expect(unitName("By")).toBe("bytes");
    expect(unitName("KiBy")).toBe("KiB");
    expect(unitName("MBy")).toBe("MB");
    expect(unitName("By/s")).toBe("bytes/s");
    expect(unitName("By{compressed}")).toBe("bytes");
    expect(unitName("ms")).toBe("ms");
    expect(unitName("us")).toBe("µs");
    expect(unitName("min")).toBe("min");
    expect(unitName("%")).toBe("%");
    expect(unitName("kW")).toBe("kW");
    expect(unitName("uV")).toBe("µV");
    expect(unitName("GHz")).toBe("GHz");
    expect(unitName("{request}")).toBe("requests");
    expect(unitName("{packet}/s")).toBe("packets/s");
    expect(unitName("{entry}")).toBe("entries");
  });

  it("reads a unit it does not know as sent, and none for UCUM's 1", () => {
    expect(unitName("lx")).toBe("lx");
    expect(unitName("1/s")).toBe("1/s");
    expect(unitName("{}")).toBe("{}");
    expect(unitName("1")).toBe("");
    expect(unitName("")).toBe("");
  });
});
