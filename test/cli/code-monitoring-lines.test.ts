import { describe, expect, it } from "vitest";
import {
  createCodeMonitoringLines,
  expiryDeferredLine,
  killSwitchOnAtStartLine,
  sdkListeningLine,
} from "../../src/cli/code-monitoring-lines.js";
import type { Breakpoint } from "../../src/domain/code-monitoring.js";

const point = (patch: Partial<Breakpoint> = {}): Breakpoint => ({
  id: "b1",
  service: "shop-api",
  filePath: "/srv/app/checkout.js",
  functionName: "checkout",
  label: "checkout",
  lineNumber: 42,
  condition: "",
  maxCaptures: 0,
  captureCount: 1,
  expireAt: null,
  enabled: true,
  origin: "auto",
  createdAt: 0,
  updatedAt: 0,
  lastCapturedAt: null,
  heardAt: null,
  calledFrom: null,
  ...patch,
});

describe("the terminal's code-monitoring lines", () => {
  it("names the point by its label, else its location, for each kind of event", () => {
    const lines = createCodeMonitoringLines();
    expect(lines.line({ type: "registered", breakpoint: point({ enabled: false }) }, 0)).toBe(
      '  + shop-api: snapshot point "checkout" registered; enable it on the Snapshots page',
    );
    expect(lines.line({ type: "registered", breakpoint: point({ label: "" }) }, 0)).toContain(
      "snapshot point at /srv/app/checkout.js:42 registered",
    );
    expect(lines.line({ type: "remade", breakpoint: point() }, 0)).toContain("made again from the SDK's capture");
    expect(lines.line({ type: "placed", breakpoint: point({ origin: "manual" }) }, 0)).toBe(
      '  + shop-api: snapshot point "checkout" (made on the page) found at the SDK\'s capture call; it captures from now on',
    );
    expect(lines.line({ type: "placed", breakpoint: point({ enabled: false }) }, 0)).toContain(
      "enable it on the Snapshots page",
    );
    expect(lines.line({ type: "switched", breakpoint: point() }, 0)).toMatch(/^ {2}\+ .* enabled/);
    expect(lines.line({ type: "switched", breakpoint: point({ enabled: false }) }, 0)).toBe(
      '  - shop-api: snapshot point "checkout" disabled',
    );
    expect(lines.line({ type: "kill-switch", enabled: true }, 0)).toContain("kill switch on");
    expect(lines.line({ type: "kill-switch", enabled: false }, 0)).toContain("kill switch off");
    expect(
      expiryDeferredLine({
        type: "expiry-deferred",
        reason: "the store could not read its file (SQLITE_BUSY: locked)",
        retryMs: 5000,
      }),
    ).toBe(
      "  ! breakpoints due to expire stay on: the store could not read its file (SQLITE_BUSY: locked); their SDKs are told once the file reads again (tried every 5 s)",
    );
  });

  it("gives a breakpoint's captures a line at most every 10 s, counting the ones between", () => {
    const lines = createCodeMonitoringLines();
    const captured = (count: number, at: number, id = "b1") =>
      lines.line(
        { type: "captured", breakpoint: point({ id, captureCount: count, maxCaptures: 50 }), traceId: "ab12" },
        at,
      );
    expect(captured(1, 0)).toBe('  + shop-api: snapshot point "checkout" captured: snapshot 1 of 50, trace ab12');
    expect(captured(2, 1_000)).toBeNull();
    expect(captured(3, 9_000)).toBeNull();
    // Another breakpoint has its own pace.
    expect(captured(1, 9_500, "b2")).not.toBeNull();
    expect(captured(4, 10_000)).toBe(
      '  + shop-api: snapshot point "checkout" captured: snapshot 4 of 50, trace ab12 (+2 since the last line)',
    );
    expect(captured(5, 25_000)).not.toContain("since the last line");
    // The capture that reaches the limit is told at once, and that it was the last.
    expect(captured(49, 26_000)).toBeNull();
    expect(captured(50, 27_000)).toBe(
      '  + shop-api: snapshot point "checkout" captured: snapshot 50 of 50, trace ab12 (+1 since the last line)' +
        "; limit reached: it captures no more until its limit is raised (Edit on the Snapshots page)",
    );
  });

  it("tells the captures a burst held back once its 10 s are up, and the rest at close, without a later capture", () => {
    const printed: string[] = [];
    /** Scheduled lines, run by hand: when each is due and what cancels it. */
    const pending: { due: number; run: () => void; cancelled: boolean }[] = [];
    const lines = createCodeMonitoringLines({
      print: (line) => printed.push(line),
      schedule: (run, ms) => {
        const entry = { due: ms, run, cancelled: false };
        pending.push(entry);
        return () => {
          entry.cancelled = true;
        };
      },
    });
    const captured = (count: number, at: number, id = "b1") =>
      lines.line({ type: "captured", breakpoint: point({ id, captureCount: count }), traceId: `t${count}` }, at);
    // 3,000 captures within 2 s: one line at once, one pending line for the rest, due when the 10 s are
    // up (scheduled at the first held back, 1 ms in).
    expect(captured(1, 0)).not.toBeNull();
    for (let i = 2; i <= 3_000; i++) expect(captured(i, Math.floor(i / 1.5))).toBeNull();
    expect(pending.map((p) => p.due)).toEqual([10_000 - 1]);
    pending[0]!.run();
    expect(printed).toEqual([
      '  + shop-api: snapshot point "checkout" captured: snapshot 3,000, trace t3000 (+2,998 since the last line)',
    ]);
    // That line starts the next 10 s: a capture within them is held back, and told at close.
    expect(captured(3_001, 15_000)).toBeNull();
    expect(captured(3_002, 16_000)).toBeNull();
    expect(pending).toHaveLength(2);
    expect(captured(1, 16_000, "b2")).not.toBeNull();
    lines.close();
    expect(pending[1]!.cancelled).toBe(true);
    expect(printed.at(-1)).toBe(
      '  + shop-api: snapshot point "checkout" captured: snapshot 3,002, trace t3002 (+1 since the last line)',
    );
    expect(printed).toHaveLength(2);
    // Nothing is scheduled after close.
    expect(captured(3_003, 17_000)).toBeNull();
    expect(pending).toHaveLength(2);
  });

  it("cancels a pending line when the breakpoint's next line tells its count", () => {
    const cancelled: number[] = [];
    const lines = createCodeMonitoringLines({
      print: () => {},
      schedule: (_run, ms) => () => cancelled.push(ms),
    });
    const captured = (count: number, at: number) =>
      lines.line({ type: "captured", breakpoint: point({ captureCount: count }), traceId: null }, at);
    captured(1, 0);
    expect(captured(2, 1_000)).toBeNull();
    // A late timer: the next capture's line tells the count instead, once.
    expect(captured(3, 10_500)).toContain("(+1 since the last line)");
    expect(cancelled).toEqual([9_000]);
  });

  it("writes a busy breakpoint's counts with their digits grouped", () => {
    const lines = createCodeMonitoringLines();
    const captured = (count: number, at: number) =>
      lines.line(
        { type: "captured", breakpoint: point({ captureCount: count, maxCaptures: 10_000 }), traceId: null },
        at,
      );
    expect(captured(1, 0)).not.toBeNull();
    for (let i = 2; i < 1236; i++) expect(captured(i, 1_000)).toBeNull();
    expect(captured(1236, 10_000)).toBe(
      '  + shop-api: snapshot point "checkout" captured: snapshot 1,236 of 10,000 (+1,234 since the last line)',
    );
  });

  it("says when a service's SDK paused capturing by itself, why, and until when (its local time, to the second after)", () => {
    const lines = createCodeMonitoringLines();
    // Today (a pause's end on another day is written after its date).
    const until = new Date();
    until.setHours(12, 45, 5, 678);
    const pause = { since: until.getTime() - 300_000, until: until.getTime() };
    expect(
      lines.line({ type: "sdk-paused", service: "shop-api", pause: { ...pause, failures: 3, windowSeconds: 60 } }, 0),
    ).toBe(
      "  ! shop-api: the SDK paused snapshot capture until 12:45:06 (or until shop-api restarts), " +
        "after 3 captures it could not send within 1m (this server could not be reached or failed, or the SDK could not serialize the variables, such as an object that refers to itself: see the app's console)",
    );
    expect(
      lines.line(
        { type: "sdk-paused", service: "shop-api", pause: { ...pause, failures: 1_200, windowSeconds: null } },
        0,
      ),
    ).toBe(
      "  ! shop-api: the SDK paused snapshot capture until 12:45:06 (or until shop-api restarts), " +
        "after 1,200 captures it could not send (this server could not be reached or failed, or the SDK could not serialize the variables, such as an object that refers to itself: see the app's console)",
    );
  });

  it("says when a service's SDKs start and stop listening live", () => {
    expect(sdkListeningLine("shop-api", 1)).toBe("  + shop-api: SDK listening for breakpoint changes (live)");
    // A stream ends mostly because its app stopped: the line does not promise check-ins.
    expect(sdkListeningLine("shop-api", 0)).toBe(
      "  - shop-api: SDK stopped listening live: its app stopped, or it checks in every ~30 s from now on",
    );
    // The Node SDK closes its stream when the kill switch goes on, and then asks only every 60 s.
    expect(sdkListeningLine("shop-api", 0, true)).toBe(
      "  - shop-api: SDK stopped listening live (the kill switch is on); it still checks in every ~60 s",
    );
  });

  it("says at start that a --db file brought the kill switch back on, and since when", () => {
    const now = new Date(2026, 11, 6, 9, 30);
    expect(killSwitchOnAtStartLine(new Date(2026, 11, 5, 18, 2, 11, 400).getTime(), now)).toBe(
      "  ! kill switch on since 2026-12-05 18:02:11: TraceKit SDKs capture no snapshots until it is turned off on the Snapshots page",
    );
    expect(killSwitchOnAtStartLine(new Date(2026, 11, 6, 8, 15).getTime(), now)).toMatch(
      /^ {2}! kill switch on since 08:15:00: /,
    );
    // A file from before the time was kept.
    expect(killSwitchOnAtStartLine(null, now)).toMatch(/^ {2}! kill switch on: TraceKit SDKs capture no snapshots/);
  });
});
