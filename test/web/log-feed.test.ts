import { describe, expect, it } from "vitest";
import {
  compareLogsNewestFirst,
  cursorAfter,
  cursorAt,
  LogFeed,
  MAX_HELD_LOGS,
  MAX_LOG_ROWS,
} from "../../web/src/features/logs/log-feed";
import {
  futureLogParams,
  hasLogFilters,
  isDatedInFuture,
  logFiltersFromSearch,
  logFiltersToSearch,
  logListParams,
  logsOfTraceHref,
  matchesLogFilters,
  traceOfLogHref,
  withLogFilter,
} from "../../web/src/features/logs/log-filters";
import { logRecord } from "./log-fixtures";

const TRACE = "5b8efff798038103d269b633813fc60c";
const SPAN = "eee19b7ec3c1b174";
const ids = (feed: LogFeed) => feed.rows.list.map((r) => r.id);

describe("log filters in the URL", () => {
  it("round-trip in a stable order", () => {
    const filters = logFiltersFromSearch(
      `?q=%20card%20&spanId=${SPAN.toUpperCase()}&severity=warning&traceId=${TRACE}&service=checkout&x=1`,
    );
    expect(filters).toEqual({ service: "checkout", severity: "WARN", q: "card", traceId: TRACE, spanId: SPAN });
    expect(logFiltersToSearch(filters)).toBe(`?service=checkout&severity=WARN&q=card&traceId=${TRACE}&spanId=${SPAN}`);
    expect(logFiltersFromSearch(logFiltersToSearch(filters))).toEqual(filters);
    expect(logFiltersToSearch({})).toBe("");
    expect(hasLogFilters({})).toBe(false);
    expect(hasLogFilters({ severity: "INFO" })).toBe(true);
  });

  it("keep a time window: in the URL, as the API's since, and for live records", () => {
    const filters = logFiltersFromSearch("?window=1h&severity=WARN");
    expect(filters).toEqual({ severity: "WARN", window: "1h" });
    expect(logFiltersToSearch(filters)).toBe("?severity=WARN&window=1h");
    expect(logFiltersFromSearch("?window=all")).toEqual({});
    expect(logFiltersFromSearch("?window=3d")).toEqual({});
    const now = 1_700_000_000_000;
    // The window ends now (give or take a minute of clock skew): a record dated later is not in it.
    expect(logListParams(filters, now)).toEqual({ severity: "WARN", since: now - 3_600_000, until: now + 60_000 });
    expect(logListParams({ service: "api" }, now)).toEqual({ service: "api" });
    const at = (msAgo: number) =>
      logRecord("1", 0, { timeUnixNano: (BigInt(now - msAgo) * 1_000_000n).toString(), severityNumber: 13 });
    expect(matchesLogFilters(at(3_599_999), filters, now)).toBe("yes");
    expect(matchesLogFilters(at(3_600_001), filters, now)).toBe("no");
    expect(matchesLogFilters(at(3_600_001), { severity: "WARN" }, now)).toBe("yes");
    expect(matchesLogFilters(at(-60_000), filters, now)).toBe("yes");
    expect(matchesLogFilters(at(-60_001), filters, now)).toBe("no");
    expect(matchesLogFilters(at(-3_600_000), filters, now)).toBe("no");
    expect(matchesLogFilters(at(-3_600_000), { severity: "WARN" }, now)).toBe("yes");
    expect(isDatedInFuture(at(-60_001), now)).toBe(true);
    expect(isDatedInFuture(at(-60_000), now)).toBe(false);
    // What the window leaves out, asked for apart: the rest of the filters, after the window's end.
    expect(futureLogParams(filters, now)).toEqual({ severity: "WARN", since: now + 60_001 });
    expect(futureLogParams({ severity: "WARN" }, now)).toBeUndefined();
  });

  it("drops values that could match nothing: unknown levels, ids of the wrong shape", () => {
    expect(logFiltersFromSearch("?severity=loud&traceId=xyz&spanId=123&q=%20%20")).toEqual({});
  });

  it("changes one filter at a time; leaving a trace leaves its span too", () => {
    const filters = { service: "a", traceId: TRACE, spanId: SPAN };
    expect(withLogFilter(filters, "service", undefined)).toEqual({ traceId: TRACE, spanId: SPAN });
    expect(withLogFilter(filters, "traceId", undefined)).toEqual({ service: "a" });
    expect(withLogFilter(filters, "q", "")).toEqual(filters);
    expect(withLogFilter({}, "severity", "ERROR")).toEqual({ severity: "ERROR" });
  });

  it("links a trace's (or span's) logs and a log's trace, span and record", () => {
    expect(logsOfTraceHref(TRACE)).toBe(`/logs?traceId=${TRACE}`);
    expect(logsOfTraceHref(TRACE, SPAN, "42")).toBe(`/logs?traceId=${TRACE}&spanId=${SPAN}&log=42`);
    expect(traceOfLogHref({ id: "42", traceId: TRACE, spanId: SPAN })).toBe(`/traces/${TRACE}?span=${SPAN}&log=42`);
    expect(traceOfLogHref({ id: "42", traceId: TRACE, spanId: null })).toBe(`/traces/${TRACE}?log=42`);
    expect(traceOfLogHref({ id: "42", traceId: null, spanId: null })).toBeNull();
  });
});

describe("matching a pushed record", () => {
  const record = logRecord("1", 0, { service: "checkout", severityNumber: 13, traceId: TRACE, spanId: SPAN });

  it("decides service, level, trace and span itself", () => {
    expect(matchesLogFilters(record, {})).toBe("yes");
    expect(matchesLogFilters(record, { service: "checkout", severity: "WARN", traceId: TRACE, spanId: SPAN })).toBe(
      "yes",
    );
    expect(matchesLogFilters(record, { service: "billing" })).toBe("no");
    expect(matchesLogFilters(record, { severity: "ERROR" })).toBe("no");
    expect(matchesLogFilters(record, { traceId: "0".repeat(32) })).toBe("no");
    expect(matchesLogFilters(record, { spanId: "0".repeat(16) })).toBe("no");
    expect(matchesLogFilters(logRecord("2", 0), { traceId: TRACE })).toBe("no");
  });

  it("leaves free text to the server, unless another filter already says no", () => {
    expect(matchesLogFilters(record, { q: "card" })).toBe("unknown");
    expect(matchesLogFilters(record, { q: "card", service: "billing" })).toBe("no");
  });
});

describe("log feed: order", () => {
  it("lists newest first; equal times put the later arrival first", () => {
    const feed = new LogFeed();
    feed.reset([logRecord("1", 10), logRecord("3", 30), logRecord("2", 10), logRecord("10", 10)], {});
    expect(ids(feed)).toEqual(["3", "10", "2", "1"]);
    expect(compareLogsNewestFirst(logRecord("9", 5), logRecord("10", 5))).toBeGreaterThan(0);
  });

  it("places a late record (an older time, arriving now) where its time belongs", () => {
    const feed = new LogFeed();
    feed.reset([logRecord("2", 20), logRecord("1", 10)], {});
    feed.receive([logRecord("3", 15)], false);
    expect(ids(feed)).toEqual(["2", "3", "1"]);
  });

  it("appends older pages below, without duplicates", () => {
    const feed = new LogFeed();
    feed.reset([logRecord("3", 30), logRecord("2", 20)], {});
    feed.append([logRecord("2", 20), logRecord("1", 10)]);
    expect(ids(feed)).toEqual(["3", "2", "1"]);
  });
});

describe("log feed: live records never move rows under the reader", () => {
  it("puts new records on top when nobody is reading", () => {
    const feed = new LogFeed();
    feed.reset([logRecord("1", 10)], {});
    expect(feed.receive([logRecord("2", 20), logRecord("3", 30)], false)).toEqual({
      changed: true,
      held: false,
      unknown: false,
      newService: false,
    });
    expect(ids(feed)).toEqual(["3", "2", "1"]);
  });

  it("holds them while the reader reads, counts them, and shows them all at once", () => {
    const feed = new LogFeed();
    feed.reset([logRecord("1", 10)], {});
    expect(feed.receive([logRecord("2", 20)], true)).toEqual({
      changed: false,
      held: true,
      unknown: false,
      newService: false,
    });
    feed.receive([logRecord("3", 30), logRecord("2", 20)], true);
    expect(ids(feed)).toEqual(["1"]);
    expect(feed.pendingCount).toBe(2);
    // One that arrives once the reader lets go goes in; the held ones wait for their release.
    feed.receive([logRecord("4", 40)], false);
    expect(ids(feed)).toEqual(["4", "1"]);
    expect(feed.release()).toBe("released");
    expect(ids(feed)).toEqual(["4", "3", "2", "1"]);
    expect(feed.pendingCount).toBe(0);
    expect(feed.release()).toBe("none");
  });

  it("reloads for records the server stored but did not push, or holds them as only counted", () => {
    const feed = new LogFeed();
    feed.reset([logRecord("1", 10)], {});
    expect(feed.missed(0, false)).toBe("none");
    // Nobody reading: the list has a gap under the pushed records, so it is loaded afresh.
    feed.receive([logRecord("5", 50)], false);
    expect(feed.missed(3, false)).toBe("reload");
    // Someone reading: they wait behind "N new" with the pushed ones, and showing them reloads.
    feed.reset([logRecord("5", 50)], {});
    feed.receive([logRecord("9", 90)], true);
    expect(feed.missed(3, true)).toBe("held");
    expect(feed.pendingCount).toBe(4);
    expect(feed.release()).toBe("reload");
    expect(ids(feed)).toEqual(["5"]);
  });

  it("leaves out records that do not match, and asks the server about free text", () => {
    const feed = new LogFeed();
    feed.reset([], { severity: "ERROR" });
    const result = feed.receive(
      [logRecord("1", 1, { severityNumber: 9 }), logRecord("2", 2, { severityNumber: 17 })],
      false,
    );
    expect(result).toEqual({ changed: true, held: false, unknown: false, newService: true });
    expect(ids(feed)).toEqual(["2"]);

    const text = new LogFeed();
    text.reset([], { q: "card" });
    expect(text.receive([logRecord("3", 3)], false)).toEqual({
      changed: false,
      held: false,
      unknown: true,
      newService: true,
    });
    expect(ids(text)).toEqual([]);
    // The server's answer places it.
    text.place([logRecord("3", 3)], true);
    expect(text.pendingCount).toBe(1);
    text.release();
    expect(ids(text)).toEqual(["3"]);
  });

  it("remembers every service it saw, matching or not, for the filter menu", () => {
    const feed = new LogFeed();
    feed.reset([logRecord("1", 1, { service: "a" })], { service: "a" });
    // Filtered out, yet new to the menu: the page must draw it again though no row changed.
    expect(feed.receive([logRecord("2", 2, { service: "b" })], false)).toEqual({
      changed: false,
      held: false,
      unknown: false,
      newService: true,
    });
    expect([...feed.services].sort()).toEqual(["a", "b"]);
    expect(ids(feed)).toEqual(["1"]);
    expect(feed.receive([logRecord("3", 3, { service: "b" })], false).newService).toBe(false);
  });

  it("keeps at most MAX_LOG_ROWS rows, dropping the oldest and counting them", () => {
    const feed = new LogFeed();
    feed.reset(
      Array.from({ length: MAX_LOG_ROWS }, (_, i) => logRecord(String(i), i)),
      {},
    );
    feed.receive([logRecord("new-1", MAX_LOG_ROWS), logRecord("new-2", MAX_LOG_ROWS + 1)], false);
    expect(feed.rows.size).toBe(MAX_LOG_ROWS);
    expect(feed.trimmed).toBe(2);
    expect(feed.rows.has("0")).toBe(false);
    expect(feed.rows.list[0]?.id).toBe("new-2");
    // Scrolling goes on from the last row kept, in the server's cursor form.
    const last = feed.rows.list[feed.rows.size - 1];
    expect(last?.id).toBe("2");
    expect(cursorAfter(last as (typeof feed.rows.list)[number])).toBe(`${last?.timeUnixNano}_2`);
  });

  it("past MAX_HELD_LOGS held records only counts the rest, and asks for a reload to show them", () => {
    const feed = new LogFeed();
    feed.reset([logRecord("0", 0)], {});
    const burst = Array.from({ length: MAX_HELD_LOGS + 10 }, (_, i) => logRecord(String(i + 1), i + 1));
    feed.receive(burst, true);
    expect(feed.pendingCount).toBe(MAX_HELD_LOGS + 10);
    expect(ids(feed)).toEqual(["0"]);
    expect(feed.release()).toBe("reload");
  });

  it("clears everything (Clear on any page)", () => {
    const feed = new LogFeed();
    feed.reset([logRecord("1", 1)], {});
    feed.receive([logRecord("2", 2)], true);
    feed.clear();
    expect(feed.rows.size).toBe(0);
    expect(feed.pendingCount).toBe(0);
    expect(feed.services.size).toBe(0);
  });
});

describe("a log list loaded around one record", () => {
  it("starts its older pages at the record itself", () => {
    expect(cursorAt({ timeUnixNano: "1764680000000000000", id: "41" })).toBe("1764680000000000000_42");
  });

  it("only counts new records (it has a gap above its top row), and showing them when asked loads it afresh", () => {
    const feed = new LogFeed();
    feed.reset([logRecord("9", 9), logRecord("8", 8)], {}, true);
    const result = feed.receive([logRecord("20", 20)], false);
    expect(result).toMatchObject({ changed: false, held: true, unknown: false });
    expect(ids(feed)).toEqual(["9", "8"]);
    expect(feed.pendingCount).toBe(1);
    // Reaching the top or leaving the list keeps the records around the linked one; "N new" asks.
    expect(feed.release(false)).toBe("none");
    expect(feed.pendingCount).toBe(1);
    expect(feed.release(true)).toBe("reload");
    // Records stored but not pushed are only counted too, nobody holding the list.
    expect(feed.missed(3, false)).toBe("held");
    expect(feed.pendingCount).toBe(4);
    // A record only the server can place (a text filter) is counted too, without asking it.
    const searched = new LogFeed();
    searched.reset([logRecord("9", 9)], { q: "card" }, true);
    expect(searched.receive([logRecord("21", 21)], false)).toMatchObject({ held: true, unknown: false });
    // An update to a row it holds still goes in; loaded from the newest again, new records go on top.
    expect(feed.receive([logRecord("9", 9, { body: "edited" })], false).changed).toBe(true);
    feed.reset([logRecord("20", 20)], {});
    expect(feed.receive([logRecord("21", 21)], false).changed).toBe(true);
    expect(ids(feed)).toEqual(["21", "20"]);
  });
});
