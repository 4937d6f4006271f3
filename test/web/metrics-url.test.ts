import { describe, expect, it } from "vitest";
import { metricSeriesPath } from "../../src/server/page-preload";
import {
  CHARTS,
  changedState,
  fromLocalInput,
  isLiveWindow,
  metricQuerySearch,
  metricsHref,
  metricsStateFromSearch,
  metricsStateToSearch,
  queryRange,
  toLocalInput,
  WINDOW_PRESETS,
} from "../../web/src/features/metrics/metrics-url";

describe("metrics URL state", () => {
  it("round-trips every field in a stable order", () => {
    const search =
      "?metric=http.server.request.duration&q=http&service=checkout&groupBy=http.route&from=1000&to=2000&stat=p99&chart=value&hide=%2Fhealth&hide=no+http.route";
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
      hide: ["/health", "no http.route"],
    });
    expect(metricsStateToSearch(state)).toBe(search);
  });

  it("keeps the lines hidden in the legend across a change of window or statistic, not of grouping", () => {
    const state = metricsStateFromSearch("?metric=m&groupBy=route&hide=%2Fa&hide=%2Fa&hide=&stat=p99");
    expect(state.hide).toEqual(["/a"]);
    expect(changedState(state, { window: "1h", stat: "p50" }).hide).toEqual(["/a"]);
    expect(changedState(state, { groupBy: "route" }).hide).toEqual(["/a"]);
    expect(changedState(state, { groupBy: "service.name" }).hide).toBeUndefined();
    expect(changedState(state, { groupBy: undefined }).hide).toBeUndefined();
    expect(metricsStateToSearch(changedState(state, { hide: undefined }))).toBe("?metric=m&groupBy=route&stat=p99");
    // The lines shown instead of those hidden, when fewer: forgotten with the grouping too.
    const only = metricsStateFromSearch("?metric=m&groupBy=route&only=%2Fb&only=&hide=%2Fa");
    expect(only.only).toEqual(["/b"]);
    expect(only.hide).toBeUndefined();
    expect(metricsStateToSearch(only)).toBe("?metric=m&groupBy=route&only=%2Fb");
    // A name of blanks is a line's name (a label sent as " "), kept as it is.
    const blank = metricsStateFromSearch("?metric=m&hide=+&hide=%2Fa");
    expect(blank.hide).toEqual([" ", "/a"]);
    expect(metricsStateToSearch(blank)).toBe("?metric=m&hide=+&hide=%2Fa");
    expect(changedState(only, { window: "1h" }).only).toEqual(["/b"]);
    expect(changedState(only, { groupBy: "service.name" }).only).toBeUndefined();
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
    expect(metricQuerySearch(preset)).toBe("?window=5m&service=api&groupBy=service.name&chart=value&stat=p95");
    const custom = metricsStateFromSearch("?from=1000&to=5000&window=1h");
    expect(isLiveWindow(custom)).toBe(false);
    expect(queryRange(custom, now)).toEqual({ since: 1000, until: 5000 });
    expect(metricsStateToSearch(custom)).toBe("?from=1000&to=5000");
    expect(metricQuerySearch(custom)).toBe("?since=1000&until=5000&stat=p95");
    // The statistic a distribution of several groups draws: one of its four, else p95.
    expect(metricQuerySearch({ ...custom, stat: "p99" })).toBe("?since=1000&until=5000&stat=p99");
    expect(metricQuerySearch({ ...custom, stat: "mean" })).toBe("?since=1000&until=5000&stat=mean");
    expect(metricQuerySearch({ ...custom, stat: "0.99" })).toBe("?since=1000&until=5000&stat=p95");
  });

  it("asks first for exactly the series the server tells the browser to fetch with the page", () => {
    const pages = [
      "",
      "?window=2d&from=abc&to=5&chart=other&service=%20",
      "?from=2000&to=1000&window=6h",
      "?q=http&stat=p99&service=%20checkout%20&groupBy=http.route",
      "?stat=mean",
      "?stat=0.99&groupBy=quantile",
      ...WINDOW_PRESETS.map((window) => `?window=${window}`),
      ...CHARTS.map((chart) => `?chart=${chart}&from=1000&to=5000`),
    ];
    for (const metric of ["http.server.request.duration", " a b/c&d=é "]) {
      for (const page of pages) {
        const params = new URLSearchParams(page);
        params.set("metric", metric);
        const state = metricsStateFromSearch(params);
        const asked = `/api/metrics/${encodeURIComponent(state.metric as string)}${metricQuerySearch(state)}`;
        expect(metricSeriesPath(new URLSearchParams(params)), params.toString()).toBe(asked);
      }
    }
    // And every page the app links to.
    const state = metricsStateFromSearch("?metric=m&service=s&groupBy=g&window=1h&chart=rate");
    const page = new URL(metricsHref(state), "http://localhost").searchParams;
    expect(metricSeriesPath(page)).toBe(`/api/metrics/m${metricQuerySearch(state)}`);
  });

  it("reads and writes datetime-local values in local time", () => {
    const ms = new Date(2026, 10, 28, 14, 3).getTime();
    expect(toLocalInput(ms)).toBe("2026-11-28T14:03");
    expect(fromLocalInput("2026-11-28T14:03")).toBe(ms);
    expect(fromLocalInput("yesterday")).toBeNull();
  });
});
