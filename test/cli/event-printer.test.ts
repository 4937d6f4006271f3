import { afterEach, describe, expect, it, vi } from "vitest";
import type { AppEvent } from "../../src/app.js";
import { createEventPrinter } from "../../src/cli/start.js";
import { PROGRAM_CHANGED_MESSAGE } from "../../src/domain/errors.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { jsonTraceRequest, newTraceId, postJson } from "../helpers/payloads.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** A printer whose every line, out and error alike, lands in `lines`. */
function printedLines() {
  const lines: string[] = [];
  const print = createEventPrinter(
    (line) => lines.push(line),
    (line) => lines.push(line),
  );
  return { lines, print };
}

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe("the terminal lines of a running server", () => {
  it("show escape sequences that requests carry instead of passing them to the terminal", async () => {
    app = await startTestApp();
    const { lines, print } = printedLines();
    const printAll = (events: AppEvent[]) => {
      for (const event of events) print(event);
    };
    // Any web page can POST (text/plain, no preflight) to any path; its percent-encoded ESC is decoded in the path.
    const page = { "Content-Type": "text/plain", Origin: "https://evil.example" };
    await fetch(`${app.base}/x%1b%5d0;owned%07%1b%5b2J/v1/traces`, { method: "POST", headers: page, body: "x" });
    await fetch(`${app.base}/sdk/%1b%5b31mred`, { method: "POST", headers: page, body: "x" });
    // A service name is whatever the sender says.
    await postJson(app.base, jsonTraceRequest("svc\u001b]0;title\u0007\u009b2J", [{ traceId: newTraceId() }]));
    printAll(app.events);

    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line).not.toMatch(CONTROL);
    expect(lines).toContainEqual(expect.stringContaining("POST /x\\x1b]0;owned\\x07\\x1b[2J/v1/traces answered 404"));
    expect(lines).toContainEqual(expect.stringContaining("POST /sdk/\\x1b[31mred answered 403"));
    expect(lines).toContainEqual("  + svc\\x1b]0;title\\x07\\x9b2J: first spans received");
  });

  it("tells another signal's OTLP/JSON sent to a path as a warning, once per 10 s, and partly rejected requests as before", async () => {
    app = await startTestApp();
    const { lines, print } = printedLines();
    const logs = JSON.stringify({ resourceLogs: [] });
    for (let i = 0; i < 3; i++) await postJson(app.base, logs);
    for (const event of app.events) print(event);
    expect(lines).toEqual([
      "  ! POST /v1/traces accepted with a warning: nothing stored: OTLP/JSON logs (resourceLogs) go to /v1/logs",
    ]);
    print({
      type: "client-error",
      path: "/v1/logs",
      status: 200,
      message: "rejected 1 log record(s): bad",
      rejectedItems: 1,
    });
    expect(lines.at(-1)).toBe("  ! POST /v1/logs partly rejected: rejected 1 log record(s): bad");
    // Told apart by whether items were rejected, not by the message's words.
    print({ type: "client-error", path: "/v1/metrics", status: 200, message: "rejected nothing, but look" });
    expect(lines.at(-1)).toBe("  ! POST /v1/metrics accepted with a warning: rejected nothing, but look");
    print({ type: "client-error", path: "/v1/metrics", status: 200, message: "2 data points: bad", rejectedItems: 2 });
    expect(lines.at(-1)).toBe("  ! POST /v1/metrics partly rejected: 2 data points: bad");
  });

  it("tells a misdirected request and a partly rejected one on the same path both, each throttled on its own", async () => {
    app = await startTestApp();
    const { lines, print } = printedLines();
    const logs = JSON.stringify({ resourceLogs: [] });
    const partly = jsonTraceRequest("svc", [{ traceId: newTraceId() }, { traceId: "not-hex" }]);
    await postJson(app.base, logs);
    expect((await postJson(app.base, partly)).status).toBe(200);
    await postJson(app.base, logs);
    expect((await postJson(app.base, partly)).status).toBe(200);
    for (const event of app.events) print(event);
    expect(app.events.filter((event) => event.type === "client-error")).toEqual([
      expect.not.objectContaining({ rejectedItems: expect.anything() }),
      expect.objectContaining({ status: 200, rejectedItems: 1 }),
      expect.not.objectContaining({ rejectedItems: expect.anything() }),
      expect.objectContaining({ status: 200, rejectedItems: 1 }),
    ]);
    expect(lines.filter((line) => line.startsWith("  !"))).toEqual([
      "  ! POST /v1/traces accepted with a warning: nothing stored: OTLP/JSON logs (resourceLogs) go to /v1/logs",
      expect.stringMatching(/^ {2}! POST \/v1\/traces partly rejected: rejected 1 /),
    ]);
  });

  it("tells each origin whose preflight was refused, the server having told each once", async () => {
    app = await startTestApp();
    const { lines, print } = printedLines();
    for (const origin of ["http://shop.test:5173", "http://shop.test:5173", "http://api:3000"]) {
      const answer = await fetch(`${app.base}/v1/traces`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST" },
      });
      expect(answer.status).toBe(403);
    }
    for (const event of app.events) print(event);
    expect(lines).toEqual([
      expect.stringMatching(
        /^ {2}! OPTIONS \/v1\/traces answered 403: a page on http:\/\/shop\.test:5173 may not send here: .*--cors-origin http:\/\/shop\.test:5173$/,
      ),
      expect.stringMatching(
        /^ {2}! OPTIONS \/v1\/traces answered 403: a page on http:\/\/api:3000 may not send here: .*--cors-origin http:\/\/api:3000$/,
      ),
    ]);
  });

  it("shows bidi controls, the marks among them, as escapes", () => {
    const { lines, print } = printedLines();
    const error = new Error("x");
    error.stack = "Error: \u202eevil\u202c \u2066a\u2069 \u200e\u200f\u061c";
    print({ type: "internal-error", error });
    expect(lines).toEqual(["  ! internal error: Error: \\u202eevil\\u202c \\u2066a\\u2069 \\u200e\\u200f\\u061c"]);
  });

  it("keeps the lines of an internal error's stack", () => {
    const { lines, print } = printedLines();
    const error = new Error("bad \u001b[2J");
    error.stack = "Error: bad \u001b[2J\n    at here";
    print({ type: "internal-error", error });
    expect(lines).toEqual(["  ! internal error: Error: bad \\x1b[2J\n    at here"]);
  });

  it("tells a module gone from disk as the program changed, once every 10 s, among internal errors told each", () => {
    const out: string[] = [];
    const errors: string[] = [];
    const print = createEventPrinter(
      (line) => out.push(line),
      (line) => errors.push(line),
    );
    const gone = Object.assign(new Error("Cannot find module 'x.js'"), { code: "ERR_MODULE_NOT_FOUND" });
    const bug = new Error("bug");
    bug.stack = "Error: bug";
    for (const error of [gone, bug, gone, bug]) print({ type: "internal-error", error });
    expect(errors).toEqual([
      `  ! ${PROGRAM_CHANGED_MESSAGE}`,
      "  ! internal error: Error: bug",
      "  ! internal error: Error: bug",
    ]);
    expect(out).toEqual([]);
  });

  it("tells a breakpoint expiry held back by the --db file once every 10 s, counting the ones between", () => {
    const { lines, print } = printedLines();
    const reason = "the store could not read its file (SQLITE_IOERR_READ: disk I/O error)";
    const line = `  ! breakpoints due to expire stay on: ${reason}; their SDKs are told once the file reads again (tried every 5 s)`;
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      for (let i = 0; i < 3; i++) {
        print({ type: "code-monitoring", event: { type: "expiry-deferred", reason, retryMs: 5000 } });
      }
      expect(lines).toEqual([line]);
      vi.setSystemTime(1_010_001);
      print({ type: "code-monitoring", event: { type: "expiry-deferred", reason, retryMs: 5000 } });
      expect(lines).toEqual([line, `${line} (+2 more like it)`]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("tells a capture's answer the --db file could not keep once every 10 s per service", () => {
    const { lines, print } = printedLines();
    const reason = "the store could not write to its file (SQLITE_FULL: database or disk is full)";
    const pause = { since: 1_000, until: 301_000, failures: 3, windowSeconds: 60 };
    const unsaved = (service: string, paused: boolean) =>
      print({
        type: "code-monitoring",
        event: { type: "capture-time-unsaved", service, reason, pause: paused ? pause : null },
      });
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      unsaved("checkout-api", true);
      unsaved("checkout-api", true);
      unsaved("users-api", false);
      expect(lines).toEqual([
        `  ! checkout-api: a capture came from it after its SDK paused, so the SDK captures again, but the end of the pause could not be saved (${reason}); it reads "SDK paused" until a later capture's end of it is saved`,
        `  ! users-api: when it last captured could not be saved (${reason}); after a restart, a pause its SDK reports that began before that capture may read as still running`,
      ]);
      vi.setSystemTime(1_010_001);
      unsaved("checkout-api", true);
      expect(lines.at(-1)).toMatch(/ \(\+1 more like it\)$/);
    } finally {
      vi.useRealTimers();
    }
  });

  it("remembers at most 1,000 kinds of throttled line: the oldest is forgotten, and prints again at once", () => {
    const { lines, print } = printedLines();
    const refused = (service: string) =>
      print({ type: "client-error", path: `/v1/${service}`, status: 400, message: "bad" });
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      refused("first");
      refused("first");
      expect(lines).toHaveLength(1);
      for (let i = 0; i < 1_000; i++) refused(`service-${i}`);
      expect(lines).toHaveLength(1_001);
      // Still within its 10 s, but no longer remembered.
      refused("first");
      expect(lines).toHaveLength(1_002);
      // The newest are still throttled.
      refused("service-999");
      expect(lines).toHaveLength(1_002);
    } finally {
      vi.useRealTimers();
    }
  });

  it("counts the lines a flood held back with their digits grouped, as every count the terminal writes", () => {
    const { lines, print } = printedLines();
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      for (let i = 0; i < 1235; i++) print({ type: "client-error", path: "/v1/traces", status: 400, message: "bad" });
      vi.setSystemTime(1_010_001);
      print({ type: "client-error", path: "/v1/traces", status: 400, message: "bad" });
      expect(lines).toEqual([
        "  ! POST /v1/traces answered 400: bad",
        "  ! POST /v1/traces answered 400: bad (+1,234 more like it)",
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("names the method of a read the --db file could not serve, and a refused export as POST", () => {
    const { lines, print } = printedLines();
    const read = "the store could not read its file (SQLITE_IOERR_READ: disk I/O error); retry later";
    const write = "the store could not write to its file (SQLITE_FULL: database or disk is full); retry later";
    print({ type: "client-error", method: "GET", path: "/api/logs", status: 503, message: read });
    print({ type: "client-error", path: "/v1/logs", status: 503, message: write });
    expect(lines).toEqual([`  ! GET /api/logs answered 503: ${read}`, `  ! POST /v1/logs answered 503: ${write}`]);
  });
});
