import { describe, expect, it } from "vitest";
import {
  fromLocalInput,
  isLiveWindow,
  metricQuerySearch,
  metricsHref,
  metricsStateFromSearch,
  metricsStateToSearch,
  queryRange,
  toLocalInput,
} from "../../web/src/features/metrics/metrics-url";

describe("metrics URL state", () => {
  it("round-trips every field in a stable order", () => {
    const search =
      "?metric=http.server.request.duration&q=http&service=checkout&groupBy=http.route&from=1000&to=2000&stat=p99&chart=value";
    const state = metricsStateFromSearch(search);
    expect(state).toEqual({
      metric: "http.server.request.duration",
      q: "http",
      service: "checkout",
      groupBy: "http.route",
      window: "15m",
      from: 1000,
      to: 2000,
      stat: "p99",
      chart: "value",
    });
    expect(metricsStateToSearch(state)).toBe(search);
  });

  it("defaults to the last 15 minutes and leaves defaults out of the URL", () => {
    expect(metricsStateFromSearch("")).toEqual({ window: "15m" });
    expect(metricsStateToSearch({ window: "15m" })).toBe("");
    expect(metricsStateToSearch({ window: "1h" })).toBe("?window=1h");
    expect(metricsHref({ metric: "a b/c" })).toBe("/metrics?metric=a+b%2Fc");
  });

  it("ignores what it cannot read", () => {
    expect(metricsStateFromSearch("?window=2d&from=abc&to=5&chart=other&metric=%20")).toEqual({ window: "15m" });
    // A range needs both ends, in order.
    expect(metricsStateFromSearch("?from=2000&to=1000")).toEqual({ window: "15m" });
    expect(metricsStateFromSearch("?from=2000")).toEqual({ window: "15m" });
  });

  it("asks for a preset window ending now, or the custom range as it is", () => {
    const now = 10_000_000;
    const preset = metricsStateFromSearch("?window=5m&service=api&groupBy=service.name&chart=value");
    expect(isLiveWindow(preset)).toBe(true);
    expect(queryRange(preset, now)).toEqual({ since: now - 300_000, until: now });
    expect(metricQuerySearch(preset, now)).toBe(
      `?since=${now - 300_000}&until=${now}&service=api&groupBy=service.name&chart=value`,
    );
    const custom = metricsStateFromSearch("?from=1000&to=5000&window=1h");
    expect(isLiveWindow(custom)).toBe(false);
    expect(queryRange(custom, now)).toEqual({ since: 1000, until: 5000 });
    expect(metricsStateToSearch(custom)).toBe("?from=1000&to=5000");
  });

  it("reads and writes datetime-local values in local time", () => {
    const ms = new Date(2026, 10, 28, 14, 3).getTime();
    expect(toLocalInput(ms)).toBe("2026-11-28T14:03");
    expect(fromLocalInput("2026-11-28T14:03")).toBe(ms);
    expect(fromLocalInput("yesterday")).toBeNull();
  });
});
