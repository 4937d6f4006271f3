import { describe, expect, it } from "vitest";
import {
  hiddenKeys,
  hideOf,
  MAX_HIDDEN_URL_CHARS,
  soloKeys,
  toggledKeys,
} from "../../web/src/features/metrics/hidden-lines";
import { buildChartModel, type ChartLine, type ChartModel } from "../../web/src/features/metrics/metric-chart-model";
import { PALETTE, queryResponse, series } from "./metric-fixtures";

const grouped = buildChartModel(
  queryResponse({ chart: "rate" }, [series("/a", [1]), series("/b", [2]), series("/c", [3])]),
  { palette: PALETTE },
);
const keyOf = (label: string) => grouped.lines.find((line) => line.label === label)?.key as string;

describe("the lines hidden in a chart's legend", () => {
  it("are named in the URL as the legend names them, in its order, and read back as the lines' keys", () => {
    const hidden = toggledKeys(toggledKeys(new Set(), keyOf("/c")), keyOf("/a"));
    expect(hideOf(grouped, new Set([keyOf("/a")]))).toEqual({ hide: ["/a"] });
    expect(hiddenKeys(grouped, { hide: ["/c", "/a", "/gone"] })).toEqual(new Set([keyOf("/a"), keyOf("/c")]));
    expect(hideOf(grouped, toggledKeys(new Set([keyOf("/a")]), keyOf("/a")))).toEqual({});
    expect(hiddenKeys(null, { hide: ["/a"] })).toEqual(new Set());
    // Two of three hidden: the one shown is the shorter name for them.
    expect(hideOf(grouped, hidden)).toEqual({ only: ["/b"] });
    expect(hiddenKeys(grouped, { only: ["/b", "/gone"] })).toEqual(hidden);
  });

  it("show one line alone, and every line again when it already was", () => {
    const alone = soloKeys(grouped, new Set(), keyOf("/b"));
    expect(hideOf(grouped, alone)).toEqual({ only: ["/b"] });
    expect(soloKeys(grouped, alone, keyOf("/b"))).toEqual(new Set());
    // A double-click on it: its first click hid it too, which the second undoes before showing every line.
    const firstClick = toggledKeys(alone, keyOf("/b"));
    expect(soloKeys(grouped, toggledKeys(firstClick, keyOf("/b")), keyOf("/b"))).toEqual(new Set());
    // A line hidden is shown alone, not hidden with the others.
    expect(hideOf(grouped, soloKeys(grouped, new Set([keyOf("/b")]), keyOf("/b")))).toEqual({ only: ["/b"] });
  });

  it("name a histogram's percentile lines by their statistic", () => {
    const histogram = buildChartModel(
      queryResponse({ chart: "distribution" }, [series("", [1], { p50: [1], p95: [2], p99: [3] })]),
      { palette: PALETTE },
    );
    const labels = histogram.lines.map((line) => line.label);
    expect(labels).toEqual(["p50", "p95", "p99"]);
    expect(hiddenKeys(histogram, { hide: ["p50"] })).toEqual(new Set([histogram.lines[0]?.key]));
  });

  it("keep the URL short enough to load: a line shown alone among many by its name, too many names in the page alone", () => {
    // 300 lines named by long attribute lists, as an ungrouped metric's are.
    const names = Array.from(
      { length: 300 },
      (_, i) => `http.route=/api/v1/orders/${i}, http.request.method=GET, service.name=checkout-service-${i % 7}`,
    );
    const many = buildChartModel(
      queryResponse(
        { chart: "rate" },
        names.map((name) => series(name, [1])),
      ),
      { palette: PALETTE },
    );
    const key = many.lines[150]?.key as string;
    const alone = hideOf(many, soloKeys(many, new Set(), key));
    expect(alone).toEqual({ only: [many.lines[150]?.label] });
    expect(hiddenKeys(many, alone ?? {}).size).toBe(299);
    // Half of them hidden: neither the hidden nor the shown fit in an address a server takes.
    const half = new Set(many.lines.filter((_, i) => i % 2 === 0).map((line) => line.key));
    expect(hideOf(many, half)).toBeNull();
    // A few hidden still go in the URL, under its limit.
    const few = hideOf(many, new Set(many.lines.slice(0, 10).map((line) => line.key)));
    expect(few?.hide).toHaveLength(10);
    expect(new URLSearchParams((few?.hide ?? []).map((name) => ["hide", name])).toString().length).toBeLessThan(
      MAX_HIDDEN_URL_CHARS,
    );
  });

  it("keep the names of lines not on this chart (no point in this window) when another line is clicked", () => {
    const url = { hide: ["/gone", "/a"] };
    const hidden = hiddenKeys(grouped, url);
    expect(hideOf(grouped, toggledKeys(hidden, keyOf("/a")), url)).toEqual({ hide: ["/gone"] });
    expect(hideOf(grouped, toggledKeys(new Set(), keyOf("/a")), { hide: ["/g"] })).toEqual({ hide: ["/a", "/g"] });
    // Named as the one shown, the others (that one too) stay hidden.
    expect(hideOf(grouped, toggledKeys(hidden, keyOf("/c")), url)).toEqual({ only: ["/b"] });
    // Lines the URL showed that are not here stay shown, whichever way it names the rest.
    expect(hideOf(grouped, new Set([keyOf("/a"), keyOf("/c")]), { only: ["/b", "/later"] })).toEqual({
      hide: ["/a", "/c"],
    });
  });
});

describe("the names the URL keeps hidden lines by", () => {
  const ungrouped = (attributes: Record<string, string>[]) =>
    buildChartModel(
      queryResponse(
        { chart: "rate" },
        attributes.map((attrs) =>
          series(
            Object.entries(attrs)
              .map(([k, v]) => `${k}=${v}`)
              .join(", "),
            [1],
            { attributes: attrs },
          ),
        ),
      ),
      { palette: PALETTE },
    );
  const get200 = { "http.request.method": "GET", "http.response.status_code": "200" };
  const get500 = { "http.request.method": "GET", "http.response.status_code": "500" };
  const post = { "http.request.method": "POST", "http.response.status_code": "200" };
  const twoGets = ungrouped([get200, get500]);
  const withPost = ungrouped([get200, get500, post]);
  const lineOf = (model: ChartModel, attrs: Record<string, string>) =>
    model.lines.find(
      (line) =>
        line.group ===
        Object.entries(attrs)
          .map(([k, v]) => `${k}=${v}`)
          .join(", "),
    ) as ChartLine;

  it("do not change when a series arrives and shortens the legend's labels differently", () => {
    // The legend leaves out the method both share; the URL still names the whole series.
    expect(lineOf(twoGets, get500).label).toBe("http.response.status_code=500");
    const url = hideOf(twoGets, new Set([lineOf(twoGets, get500).key])) ?? {};
    expect(url).toEqual({ hide: ["http.request.method=GET, http.response.status_code=500"] });
    // A POST series arrives: the labels are whole lists again, and the same line stays hidden.
    expect(hiddenKeys(withPost, url)).toEqual(new Set([lineOf(withPost, get500).key]));
    // The GET 200 line shown alone (`only=`), then the POST series: the other two are hidden, not all three.
    const only = { only: [lineOf(twoGets, get200).name] };
    expect(hiddenKeys(twoGets, only)).toEqual(new Set([lineOf(twoGets, get500).key]));
    expect(hiddenKeys(withPost, only)).toEqual(new Set([lineOf(withPost, get500).key, lineOf(withPost, post).key]));
  });

  it("name the series without attributes the same alone and beside others; an old link's `all` still means it", () => {
    const alone = buildChartModel(queryResponse({ chart: "rate" }, [series("", [1])]), { palette: PALETTE });
    const beside = buildChartModel(queryResponse({ chart: "rate" }, [series("", [1]), series("/a", [2])]), {
      palette: PALETTE,
    });
    expect(alone.lines[0]?.label).toBe("all");
    const url = hideOf(alone, new Set([alone.lines[0]?.key as string])) ?? {};
    expect(hiddenKeys(beside, url)).toEqual(new Set([beside.lines[0]?.key]));
    expect(hiddenKeys(beside, { hide: ["all"] })).toEqual(new Set([beside.lines[0]?.key]));
    expect(hiddenKeys(beside, { only: ["all"] })).toEqual(new Set([beside.lines[1]?.key]));
    expect(hiddenKeys(alone, { hide: ["all"] })).toEqual(new Set([alone.lines[0]?.key]));
  });
});
