import { describe, expect, it } from "vitest";
import { createCodeMonitoringLines } from "../../src/cli/code-monitoring-lines";
import { pauseEnd, type SdkPause, sdkPausesFromJson } from "../../src/domain/sdk-pause";
import { createCodeMonitoring } from "../../src/ingest/code-monitoring";
import { createLiveHub } from "../../src/live/hub";
import { createSdkStreams } from "../../src/live/sdk-streams";
import { breakpointStateText } from "../../src/mcp/snapshot-tools";
import type { BreakpointJson } from "../../src/protocol";
import { createMemoryCodeMonitoringStore } from "../../src/store/code-monitoring-memory-store";
import {
  awaitsCheckIn,
  breakpointCountText,
  breakpointState,
  breakpointStatus,
  checkInOverdueSince,
  countBreakpoints,
  deleteQuestion,
  expiryFromChoice,
  formatCaptures,
  formatExpiry,
  groupBreakpoints,
  groupedBreakpoints,
  panelRows,
  parseMaxCaptures,
  pausedText,
  type SdkContact,
  serviceAwaitsCheckIn,
  serviceWaitingSince,
  silentText,
  stateText,
  UNPLACED,
  unregisteredNote,
  waitingText,
} from "../../web/src/features/snapshots/breakpoint-model";
import { breakpointChoiceText, placeOf, placeTitle, whereText } from "../../web/src/features/snapshots/code-place";
import { breakpoint } from "./snapshot-fixtures";

const NOW = Date.parse("2026-12-02T12:00:00.000Z");

describe("breakpoint model", () => {
  it("stamps a change now, not after a check-in kept from a clock that ran ahead (or at the end of time)", () => {
    const store = createMemoryCodeMonitoringStore();
    const hub = createLiveHub({ getSummaries: () => [], getLatest: () => [] });
    const streams = createSdkStreams();
    let t = 1_800_000_000_000 + 86_400_000;
    const codeMonitoring = createCodeMonitoring({ store, hub, streams, now: () => t });
    try {
      const { breakpoint } = codeMonitoring.autoRegister(
        { service: "stale", filePath: "/app/a.js", lineNumber: 1, functionName: "f", label: "" },
        true,
      );
      // A check-in while the clock read a day ahead; then the clock is put right.
      codeMonitoring.sdkCheckedIn("stale");
      t -= 86_400_000;
      codeMonitoring.updateBreakpoint(breakpoint.id, { enabled: true });
      expect(codeMonitoring.state().breakpoints[0]?.updatedAt).toBe(new Date(t).toISOString());
      codeMonitoring.setKillSwitch(true);
      expect(codeMonitoring.state().killSwitchChangedAt).toBe(new Date(t).toISOString());
    } finally {
      codeMonitoring.close();
      streams.close();
      hub.close();
    }
  });

  it("reads a change made in the same millisecond as the check-in, registration or capture before it as unheard", () => {
    // As the server stamps them (ingest/code-monitoring.ts), read by this model.
    const LOCATION = { service: "checkout", filePath: "/app/a.js", lineNumber: 1, functionName: "pay", label: "" };
    const store = createMemoryCodeMonitoringStore();
    const hub = createLiveHub({ getSummaries: () => [], getLatest: () => [] });
    const streams = createSdkStreams();
    let t = 1_800_000_000_000;
    // The clock moves only where a step says so: the others happen in the same millisecond.
    const codeMonitoring = createCodeMonitoring({ store, hub, streams, now: () => t });
    /** A capture at the breakpoint, with nothing in it. */
    const capture = (breakpointId: string) =>
      codeMonitoring.capture({
        ...LOCATION,
        breakpointId,
        capturedAt: null,
        traceId: null,
        spanId: null,
        variables: {},
        variableNames: [],
        securityFlags: [],
        stackTrace: "",
        requestContext: null,
      });
    const shown = () => {
      const state = codeMonitoring.state();
      return breakpointState(state.breakpoints[0]!, t, state.killSwitch, state);
    };
    try {
      const { breakpoint } = codeMonitoring.autoRegister(LOCATION, true);
      codeMonitoring.sdkCheckedIn("checkout");
      // Enabled after the poll, within its millisecond: the SDK holds it off until its next poll.
      codeMonitoring.updateBreakpoint(breakpoint.id, { enabled: true });
      expect(shown()).toBe("waiting");
      // A later poll heard it (one in the same millisecond reads as before it: the safe side).
      t += 1;
      codeMonitoring.sdkCheckedIn("checkout");
      expect(shown()).toBe("capturing");
      // An edit after a Node registration's answer, in the same millisecond, was not in that answer.
      codeMonitoring.autoRegister(LOCATION, true);
      codeMonitoring.updateBreakpoint(breakpoint.id, { maxCaptures: 5 });
      expect(shown()).toBe("waiting");
      codeMonitoring.autoRegister(LOCATION, true);
      expect(shown()).toBe("capturing");
      // Nor one after a capture.
      capture(breakpoint.id);
      codeMonitoring.updateBreakpoint(breakpoint.id, { maxCaptures: 6 });
      expect(shown()).toBe("waiting");
      // The kill switch turned off right after a poll, in the same millisecond.
      codeMonitoring.setKillSwitch(true);
      codeMonitoring.sdkCheckedIn("checkout");
      codeMonitoring.setKillSwitch(false);
      expect(shown()).toBe("waiting");
      // A breakpoint's changes never go back in time, even once what they followed is gone (Clear).
      t += 1;
      capture(breakpoint.id);
      codeMonitoring.clearCaptured();
      const cleared = codeMonitoring.state().breakpoints[0]!.updatedAt;
      codeMonitoring.updateBreakpoint(breakpoint.id, { maxCaptures: 7 });
      expect(Date.parse(codeMonitoring.state().breakpoints[0]!.updatedAt)).toBeGreaterThan(Date.parse(cleared));
    } finally {
      codeMonitoring.close();
      streams.close();
      hub.close();
    }
  });

  it("groups by service, then file, each in name order, breakpoints by line", () => {
    const groups = groupBreakpoints([
      breakpoint("a", { service: "payments", filePath: "pay.py", lineNumber: 3 }),
      breakpoint("b", { service: "checkout-api", filePath: "src/z.js", lineNumber: 40, enabled: true }),
      breakpoint("c", { service: "checkout-api", filePath: "src/a.js", lineNumber: 9 }),
      breakpoint("d", { service: "checkout-api", filePath: "src/z.js", lineNumber: 12 }),
    ]);
    expect(groups.map((g) => g.service)).toEqual(["checkout-api", "payments"]);
    const checkout = groups[0]!;
    expect(checkout.files.map((f) => f.filePath)).toEqual(["src/a.js", "src/z.js"]);
    expect(checkout.files[1]!.breakpoints.map((b) => b.id)).toEqual(["d", "b"]);
    expect(checkout.count).toBe(3);
    expect(groupBreakpoints([])).toEqual([]);
  });

  it("counts as enabled only the breakpoints that capture, and says the others as their rows do", () => {
    const all = [
      breakpoint("on", { enabled: true }),
      breakpoint("by-label", { enabled: true, filePath: "", lineNumber: 0 }),
      breakpoint("off", { enabled: false, expireAt: "2026-12-02T11:00:00.000Z" }),
      breakpoint("expired", { enabled: true, expireAt: "2026-12-02T11:59:44.000Z" }),
      breakpoint("expired-too", { enabled: true, expireAt: "2026-12-01T12:00:00.000Z", captureCount: 100 }),
      breakpoint("used-up", { enabled: true, maxCaptures: 5, captureCount: 5 }),
      breakpoint("later", { enabled: true, expireAt: "2026-12-02T12:10:00.000Z", maxCaptures: 5, captureCount: 4 }),
    ];
    const counts = countBreakpoints(all, NOW);
    expect(counts).toEqual({ total: 7, enabled: 3, expired: 2, exhausted: 1 });
    // The words of each one's badge: a page that read "7 enabled" here had three rows saying otherwise.
    for (const b of all.filter((b) => ["expired", "exhausted"].includes(breakpointState(b, NOW, false)))) {
      expect(breakpointCountText(counts)).toContain(
        stateText(breakpointStatus(b, NOW, false), b.service, {} as SdkContact, NOW),
      );
    }
    expect(breakpointCountText(counts)).toBe("7 breakpoints, 3 enabled, 2 expired, 1 limit reached");
    // An hour later "later" has expired as well.
    expect(breakpointCountText(countBreakpoints(all, NOW + 3_600_000))).toBe(
      "7 breakpoints, 2 enabled, 3 expired, 1 limit reached",
    );
    expect(breakpointCountText(countBreakpoints([breakpoint("a", { enabled: true })], NOW))).toBe(
      "1 breakpoint, 1 enabled",
    );
    expect(breakpointCountText(countBreakpoints([breakpoint("a")], NOW))).toBe("1 breakpoint, 0 enabled");
    // The kill switch and an SDK's pause are said once for the page, not counted here.
    const [group] = groupBreakpoints(all);
    expect(breakpointCountText(countBreakpoints(groupedBreakpoints(group!), NOW))).toBe(
      "7 breakpoints, 3 enabled, 2 expired, 1 limit reached",
    );
  });

  it("places what the Node SDK registers at its own capture call by its caller, once a capture says it", () => {
    const sdkCall = {
      filePath: "/app/node_modules/@tracekit/node-apm/dist/client.js",
      functionName: "TracekitClient.captureSnapshot",
      lineNumber: 488,
    };
    const placed = breakpoint("p", {
      ...sdkCall,
      label: "user-lookup",
      calledFrom: { filePath: "/app/src/users.js", functionName: "", lineNumber: 8 },
    });
    const unplaced = breakpoint("u", { ...sdkCall, label: "order-lookup" });
    const own = breakpoint("o", { filePath: "/app/src/users.js", functionName: "save", lineNumber: 20 });
    const [group] = groupBreakpoints([unplaced, own, placed]);
    expect(group!.files.map((f) => [f.filePath, f.breakpoints.map((b) => b.id)])).toEqual([
      ["/app/src/users.js", ["p", "o"]],
      [UNPLACED, ["u"]],
    ]);
    expect(placeOf(placed)).toEqual({ filePath: "/app/src/users.js", functionName: "", lineNumber: 8 });
    expect(placeOf(unplaced)).toBeNull();
    expect(placeOf(own)).toEqual({ filePath: "/app/src/users.js", functionName: "save", lineNumber: 20 });
    expect(whereText(placed)).toBe("(anonymous) · /app/src/users.js:8");
    expect(whereText(own, true)).toBe("save:20");
    // An anonymous function (an Express route handler) is named by its file.
    expect(whereText(placed, true)).toBe("users.js:8");
    expect(placeTitle(placed)).toContain("the SDK registered its own capture call (TracekitClient.captureSnapshot at");
    expect(placeTitle(unplaced)).toContain("shows with its next capture");
    expect(placeTitle(own)).toBe("save · /app/src/users.js:20");
  });

  it("writes the bidirectional controls of an SDK's names as marks in titles and filter choices", () => {
    const reversed = breakpoint("r", {
      label: "pay\u202Edrawer",
      functionName: "charge\u202Ex",
      filePath: "/app/\u2067a.js",
    });
    expect(placeTitle(reversed)).toBe("charge⟨RLO⟩x · /app/⟨RLI⟩a.js:10");
    expect(breakpointChoiceText(reversed)).toBe("pay⟨RLO⟩drawer · checkout-api");
  });

  it("lists an unlabelled breakpoint in the filter as the table names it, with where it is when known", () => {
    expect(breakpointChoiceText(breakpoint("n", { label: "" }))).toBe("(no label) at placeOrder:10 · checkout-api");
    expect(breakpointChoiceText(breakpoint("m", { label: "", filePath: "", functionName: "" }))).toBe(
      "(no label) · checkout-api",
    );
  });

  it("writes captures as n / max, or n / ∞ without a limit", () => {
    expect(formatCaptures({ captureCount: 3, maxCaptures: 100 })).toBe("3 / 100");
    expect(formatCaptures({ captureCount: 1200, maxCaptures: 0 })).toBe("1,200 / ∞");
  });

  it("says when a breakpoint expires", () => {
    expect(formatExpiry(null, NOW)).toBe("never");
    expect(formatExpiry("2026-12-02T12:45:00.000Z", NOW)).toBe("in 45m");
    expect(formatExpiry("2026-12-02T14:30:00.000Z", NOW)).toBe("in 2h 30m");
    expect(formatExpiry("2026-12-05T12:00:00.000Z", NOW)).toBe("in 3d");
    expect(formatExpiry("2026-12-02T11:57:00.000Z", NOW)).toBe("expired 3m ago");
    expect(formatExpiry("soon", NOW)).toBe("soon");
    // "in 15 minutes" picked a few seconds after the page's clock last ticked reads as picked.
    const picked = expiryFromChoice(15, NOW + 4_000) as string;
    expect(formatExpiry(picked, NOW)).toBe("in 15m");
    expect(formatExpiry(expiryFromChoice(60, NOW + 4_000), NOW)).toBe("in 1h");
    expect(formatExpiry("2026-12-02T12:00:20.000Z", NOW)).toBe("in 1m");
    expect(breakpointState(breakpoint("a", { enabled: true, expireAt: "2026-12-02T12:00:00.000Z" }), NOW, false)).toBe(
      "expired",
    );
    expect(breakpointState(breakpoint("a", { enabled: true, expireAt: "soon" }), NOW, false)).toBe("capturing");
  });

  it("tells why a breakpoint does not capture", () => {
    expect(breakpointState(breakpoint("a", { enabled: true }), NOW, false)).toBe("capturing");
    // Made on the page by its label: the SDK's first capture call takes it, no check-in needed.
    const byLabel = breakpoint("a", { enabled: true, filePath: "", lineNumber: 0, functionName: "" });
    const waitingContact = {
      connectedSdks: {},
      lastCheckIns: { shop: "2026-12-01T00:00:00Z" },
      killSwitchChangedAt: null,
    };
    expect(breakpointState({ ...byLabel, service: "shop" }, NOW, false, waitingContact)).toBe("unplaced");
    expect(placeOf(byLabel)).toBeNull();
    expect(placeTitle(byLabel)).toContain("first capture call with this label");
    expect(breakpointState(breakpoint("a"), NOW, false)).toBe("disabled");
    expect(breakpointState(breakpoint("a", { enabled: true }), NOW, true)).toBe("killed");
    expect(breakpointState(breakpoint("a", { enabled: true, expireAt: "2026-12-01T00:00:00Z" }), NOW, false)).toBe(
      "expired",
    );
    expect(breakpointState(breakpoint("a", { enabled: true, captureCount: 100 }), NOW, false)).toBe("exhausted");
    expect(breakpointState(breakpoint("a", { enabled: true, captureCount: 100, maxCaptures: 0 }), NOW, false)).toBe(
      "capturing",
    );
  });

  it("says an SDK paused capturing by itself (its circuit breaker tripped) until its cooldown is over", () => {
    // As the server sends its pauses (sdkPauses), read back.
    const pauses = sdkPausesFromJson({
      "checkout-api": {
        since: "2026-12-02T11:58:00.000Z",
        until: "2026-12-02T12:03:00.000Z",
        failures: 3,
        windowSeconds: 60,
      },
      // Over: tripped 6 minutes ago with a 5 minute cooldown.
      billing: {
        since: "2026-12-02T11:54:00.000Z",
        until: "2026-12-02T11:59:00.000Z",
        failures: null,
        windowSeconds: null,
      },
    });
    const contact = { connectedSdks: { "checkout-api": 1 }, lastCheckIns: {}, killSwitchChangedAt: null, pauses };
    const on = breakpoint("a", { enabled: true, lastCapturedAt: "2026-12-02T11:50:00.000Z" });
    const status = breakpointStatus(on, NOW, false, contact);
    expect(status).toEqual({ state: "paused", pause: pauses["checkout-api"] });
    expect(stateText(status, "checkout-api", contact, NOW)).toBe("SDK paused, 3m left");
    const why = pausedText("checkout-api", pauses["checkout-api"] as SdkPause, NOW);
    expect(why).toContain("checkout-api's SDK paused capturing by itself after 3 captures it could not send within 1m");
    expect(why).toContain("It captures again in 3m, at ");
    // A capture from the service since the trip (another instance of it): the server ended the pause there.
    const ended = {
      ...pauses,
      "checkout-api": { ...(pauses["checkout-api"] as SdkPause), until: Date.parse("2026-12-02T11:59:00.000Z") },
    };
    expect(breakpointState(on, NOW, false, { ...contact, pauses: ended })).toBe("capturing");
    // Made by its label: its SDK, paused, does not take it at a capture call either.
    expect(breakpointState({ ...on, filePath: "" }, NOW, false, contact)).toBe("paused");
    // Another service, a pause that is over, and the reasons that come first.
    expect(breakpointState({ ...on, service: "billing" }, NOW, false, contact)).toBe("capturing");
    expect(breakpointState({ ...on, service: "search" }, NOW, false, contact)).toBe("capturing");
    expect(breakpointState({ ...on, enabled: false }, NOW, false, contact)).toBe("disabled");
    expect(breakpointState(on, NOW, true, contact)).toBe("killed");
    expect(breakpointState(on, Date.parse("2026-12-02T12:03:00.000Z"), false, contact)).toBe("capturing");
  });

  it("says when an SDK's pause ends, and what it has left, as the terminal and MCP do", () => {
    // Today at 12:45:05.600 local time, 4m 29.6s from now.
    const end = new Date();
    end.setHours(12, 45, 5, 600);
    const now = end.getTime() - 269_600;
    const pause = { since: now - 30_000, until: end.getTime(), failures: 3, windowSeconds: 60 };
    const terminal = createCodeMonitoringLines().line({ type: "sdk-paused", service: "shop", pause }, now);
    expect(terminal).toContain("until 12:45:06 ");
    const contact = { connectedSdks: {}, lastCheckIns: {}, killSwitchChangedAt: null, pauses: { shop: pause } };
    expect(stateText({ state: "paused", pause }, "shop", contact, now)).toBe("SDK paused, 5m left");
    expect(pausedText("shop", pause, now)).toContain("It captures again in 5m, at 12:45:06, or when shop restarts.");
    const bp = { service: "shop", enabled: true, expireAt: null, maxCaptures: 0, captureCount: 0, filePath: "/a.js" };
    const utc = new Date(pauseEnd(pause)).toISOString().replace(".000Z", "Z");
    expect(breakpointStateText(bp as never, false, now, contact)).toEqual({
      state: `enabled, but its SDK paused capturing until ${utc}, 5m from now (captures it could not send)`,
    });
    expect(utc).toMatch(/:06Z$/);
  });

  it("waits for a service's next check-in after the kill switch went off, unless one of its SDKs listens live", () => {
    const off = "2026-12-02T11:59:50.000Z";
    const on = breakpoint("a", { enabled: true });
    const contact = (lastCheckIns: Record<string, string>, connectedSdks: Record<string, number> = {}) => ({
      connectedSdks,
      lastCheckIns,
      killSwitchChangedAt: off,
    });
    // Not heard from since the change (or never): waiting.
    expect(breakpointState(on, NOW, false, contact({ "checkout-api": "2026-12-02T11:59:20.000Z" }))).toBe("waiting");
    expect(breakpointState(on, NOW, false, contact({}))).toBe("waiting");
    // It asked since, or listens on the stream: capturing.
    expect(breakpointState(on, NOW, false, contact({ "checkout-api": "2026-12-02T11:59:55.000Z" }))).toBe("capturing");
    expect(breakpointState(on, NOW, false, contact({}, { "checkout-api": 1 }))).toBe("capturing");
    // Another service's check-in does not count; no change since start means nothing to wait for.
    expect(awaitsCheckIn("checkout-api", contact({ billing: "2026-12-02T11:59:55.000Z" }))).toBe(true);
    expect(awaitsCheckIn("checkout-api", { connectedSdks: {}, lastCheckIns: {}, killSwitchChangedAt: null })).toBe(
      false,
    );
    // The other reasons come first.
    expect(breakpointState(breakpoint("a"), NOW, false, contact({}))).toBe("disabled");
    expect(breakpointState(on, NOW, true, contact({}))).toBe("killed");
    expect(waitingText("checkout-api")).toBe("waiting for checkout-api's next check-in (within about 60 s)");
  });

  it("says a service waits for a check-in only while one of its breakpoints would capture once it asks", () => {
    // The kill switch went on at 11:59:50 while checkout-api's Node SDK listened live: it heard the
    // event and closed its stream, as it does, so it no longer listens and last asked before the change.
    const contact = {
      connectedSdks: {},
      lastCheckIns: { "checkout-api": "2026-12-02T11:59:30.000Z" },
      killSwitchChangedAt: "2026-12-02T11:59:50.000Z",
    };
    const enabled = breakpoint("a", { enabled: true });
    const [group] = groupBreakpoints([enabled]);
    expect(serviceAwaitsCheckIn(group!, NOW, true, contact)).toBe(false);
    // The switch went off again: now the SDK must ask before it captures.
    expect(serviceAwaitsCheckIn(group!, NOW, false, contact)).toBe(true);
    // An expired or used-up breakpoint captures nothing once its SDK asks, and a disabled one neither.
    for (const done of [
      breakpoint("a", { enabled: true, expireAt: "2026-12-02T11:00:00.000Z" }),
      breakpoint("a", { enabled: true, maxCaptures: 1, captureCount: 1 }),
      breakpoint("a"),
    ]) {
      expect(serviceAwaitsCheckIn(groupBreakpoints([done])[0]!, NOW, false, contact)).toBe(false);
    }
  });

  it("waits for the next check-in after a breakpoint is enabled, unless its SDK heard of the edit otherwise", () => {
    const enabled = breakpoint("a", { enabled: true, updatedAt: "2026-12-02T11:59:50.000Z" });
    const contact = (lastCheckIns: Record<string, string>, connectedSdks: Record<string, number> = {}) => ({
      connectedSdks,
      lastCheckIns,
      killSwitchChangedAt: null,
    });
    // A Python SDK polls every 30 s: until it asks again, it does not know.
    expect(breakpointState(enabled, NOW, false, contact({ "checkout-api": "2026-12-02T11:59:40.000Z" }))).toBe(
      "waiting",
    );
    expect(breakpointState(enabled, NOW, false, contact({ "checkout-api": "2026-12-02T11:59:51.000Z" }))).toBe(
      "capturing",
    );
    // Listening live (Node), it heard at once.
    expect(
      breakpointState(
        enabled,
        NOW,
        false,
        contact({ "checkout-api": "2026-12-02T11:59:40.000Z" }, { "checkout-api": 1 }),
      ),
    ).toBe("capturing");
    // No check-in known at all (a --db file from before they were kept, a service not heard from
    // since): nothing says its SDK heard of the edit.
    expect(breakpointState(enabled, NOW, false, contact({}))).toBe("waiting");
    // The SDK got it as it is in the answer to its own registration (a breakpoint made on the page
    // and handed over at its first capture call, say): heard, with or without a check-in.
    const handedOver = { ...enabled, heardAt: enabled.updatedAt };
    expect(breakpointState(handedOver, NOW, false, contact({}))).toBe("capturing");
    expect(breakpointState(handedOver, NOW, false, contact({ "checkout-api": "2026-12-02T11:59:40.000Z" }))).toBe(
      "capturing",
    );
    // Edited on the page after that registration: unheard again.
    const editedAfter = { ...enabled, heardAt: "2026-12-02T11:59:45.000Z" };
    expect(breakpointState(editedAfter, NOW, false, contact({}))).toBe("waiting");
    // A capture since the edit shows its SDK heard of it.
    const captured = { ...enabled, lastCapturedAt: "2026-12-02T11:59:55.000Z" };
    expect(breakpointState(captured, NOW, false, contact({ "checkout-api": "2026-12-02T11:59:40.000Z" }))).toBe(
      "capturing",
    );
  });

  it("says an enabled breakpoint whose app stopped checking in is not capturing, as a waiting one says it", () => {
    // Heard of everything (captured since its last edit), then its app stopped: the stream closed and
    // no poll came for longer than two poll intervals.
    const heard = breakpoint("a", {
      enabled: true,
      updatedAt: "2026-12-02T11:00:00.000Z",
      lastCapturedAt: "2026-12-02T11:50:00.000Z",
    });
    const contact = (lastCheckIn: string, connected = 0): SdkContact => ({
      connectedSdks: connected > 0 ? { "checkout-api": connected } : {},
      lastCheckIns: { "checkout-api": lastCheckIn },
      killSwitchChangedAt: null,
    });
    const stopped = contact("2026-12-02T11:57:30.000Z");
    const status = breakpointStatus(heard, NOW, false, stopped);
    expect(status.state).toBe("silent");
    expect(stateText(status, "checkout-api", stopped, NOW)).toBe("no check-in for 2m");
    expect(silentText("checkout-api", stopped, NOW)).toContain("last checked in 2m ago");
    // Within a poll interval, or listening live, or never checked in at all: capturing.
    expect(breakpointState(heard, NOW, false, contact("2026-12-02T11:59:00.000Z"))).toBe("capturing");
    expect(breakpointState(heard, NOW, false, contact("2026-12-02T11:57:30.000Z", 1))).toBe("capturing");
    expect(breakpointState(heard, NOW, false, { connectedSdks: {}, lastCheckIns: {}, killSwitchChangedAt: null })).toBe(
      "capturing",
    );
    // Off, killed or used up say that first.
    expect(breakpointState({ ...heard, enabled: false }, NOW, false, stopped)).toBe("disabled");
    expect(breakpointState(heard, NOW, true, stopped)).toBe("killed");
  });

  it("gives MCP's list_snapshots the page's states: an app that stopped or has not heard of a breakpoint is not just enabled", () => {
    const heard = breakpoint("a", {
      enabled: true,
      updatedAt: "2026-12-02T11:50:00.000Z",
      heardAt: "2026-12-02T11:50:00.000Z",
    });
    const contact = (lastCheckIns: Record<string, string>, connected = 0): SdkContact => ({
      connectedSdks: connected > 0 ? { "checkout-api": connected } : {},
      lastCheckIns,
      killSwitchChangedAt: null,
    });
    const stateOf = (bp: BreakpointJson, sdks?: SdkContact) => breakpointStateText(bp, false, NOW, sdks);
    // Heard of it, then stopped checking in (NOW is 12:00:00).
    const stopped = stateOf(heard, contact({ "checkout-api": "2026-12-02T11:57:30.000Z" }));
    expect(stopped.state).toBe("enabled, no check-in since 2026-12-02T11:57:30Z");
    expect(stopped.note).toContain("its app has most likely stopped");
    // Running: checked in within a poll interval, or listening live.
    expect(stateOf(heard, contact({ "checkout-api": "2026-12-02T11:59:30.000Z" }))).toEqual({ state: "enabled" });
    expect(stateOf(heard, contact({ "checkout-api": "2026-12-02T11:57:30.000Z" }, 1))).toEqual({ state: "enabled" });
    // Edited after its SDK last asked: not heard of yet, soon or (overdue) once the app runs again.
    const edited = breakpoint("a", { enabled: true, updatedAt: "2026-12-02T11:59:50.000Z" });
    const soon = stateOf(edited, contact({ "checkout-api": "2026-12-02T11:59:40.000Z" }));
    expect(soon.state).toBe("enabled, awaiting check-in");
    expect(soon.note).toContain("within about 60 s");
    expect(stateOf(edited, contact({ "checkout-api": "2026-12-02T11:41:50.000Z" })).state).toBe(
      "enabled, no check-in since 2026-12-02T11:41:50Z",
    );
    // Without what the server knows of the SDKs (an older server), enabled is all that can be said.
    expect(stateOf(heard)).toEqual({ state: "enabled" });
  });

  it("says honestly when a waiting service's check-in is overdue (its app has most likely stopped)", () => {
    // Enabled at 11:59:50; checkout-api last asked at 11:41:50, 18 minutes before NOW (12:00:00).
    const enabled = breakpoint("a", { enabled: true, updatedAt: "2026-12-02T11:59:50.000Z" });
    const contact = {
      connectedSdks: {},
      lastCheckIns: { "checkout-api": "2026-12-02T11:41:50.000Z" },
      killSwitchChangedAt: null,
    };
    expect(breakpointState(enabled, NOW, false, contact)).toBe("waiting");
    expect(checkInOverdueSince("checkout-api", contact, NOW)).toBe(Date.parse("2026-12-02T11:41:50.000Z"));
    expect(waitingText("checkout-api", contact, NOW)).toBe(
      "checkout-api last checked in 18m ago; it will pick this up when it runs again",
    );
    expect(stateText({ state: "waiting" }, "checkout-api", contact, NOW)).toBe("no check-in for 18m");
    // It keeps counting as time goes by.
    expect(waitingText("checkout-api", contact, NOW + 42 * 60_000)).toBe(
      "checkout-api last checked in 1h ago; it will pick this up when it runs again",
    );
    // Within two of the longest polls (Node's 60 s), the next check-in may still come.
    const recent = { ...contact, lastCheckIns: { "checkout-api": "2026-12-02T11:58:01.000Z" } };
    expect(checkInOverdueSince("checkout-api", recent, NOW)).toBeNull();
    expect(waitingText("checkout-api", recent, NOW)).toBe(
      "waiting for checkout-api's next check-in (within about 60 s)",
    );
    expect(stateText({ state: "waiting" }, "checkout-api", recent, NOW)).toBe("awaiting check-in");
    // Never asked since this server started, and the kill switch went off long ago.
    const never = { connectedSdks: {}, lastCheckIns: {}, killSwitchChangedAt: "2026-12-02T11:50:00.000Z" };
    expect(waitingText("checkout-api", never, NOW)).toBe(
      "checkout-api has not checked in since tracekit-local started; it will pick this up when it runs again",
    );
    expect(stateText({ state: "waiting" }, "checkout-api", never, NOW)).toBe("not checked in");
    // Other states say what they always say.
    expect(stateText({ state: "disabled" }, "checkout-api", contact, NOW)).toBe("off");
  });

  it("counts an overdue check-in from this server's start when the check-in or the edit came before a restart", () => {
    // shop checked in at 03:59, a breakpoint was enabled, and tracekit-local restarted (--db) at 11:59:59.
    const started = "2026-12-02T11:59:59.000Z";
    const enabled = breakpoint("a", { enabled: true, updatedAt: "2026-12-02T04:00:00.000Z" });
    const contact = {
      connectedSdks: {},
      lastCheckIns: { "checkout-api": "2026-12-02T03:59:00.000Z" },
      killSwitchChangedAt: null,
      serverStartedAt: started,
    };
    expect(breakpointState(enabled, NOW, false, contact)).toBe("waiting");
    // One second after the restart, the SDK's next poll (within 30 s) is not overdue.
    expect(checkInOverdueSince("checkout-api", contact, NOW)).toBeNull();
    expect(stateText({ state: "waiting" }, "checkout-api", contact, NOW)).toBe("awaiting check-in");
    expect(waitingText("checkout-api", contact, NOW)).toBe(
      "waiting for checkout-api's next check-in (within about 60 s)",
    );
    // Two polls after the restart with none, it is, and says since when it has not checked in.
    const later = NOW + 121_000;
    expect(checkInOverdueSince("checkout-api", contact, later)).toBe(Date.parse("2026-12-02T03:59:00.000Z"));
    expect(stateText({ state: "waiting" }, "checkout-api", contact, later)).toBe("no check-in for 8h");
    // A file that kept no check-ins: an edit from before the restart is not overdue at once either.
    const none = { ...contact, lastCheckIns: {} };
    expect(stateText({ state: "waiting" }, "checkout-api", none, NOW, enabled.updatedAt)).toBe("awaiting check-in");
    expect(stateText({ state: "waiting" }, "checkout-api", none, later, enabled.updatedAt)).toBe("not checked in");
    // Nor a kill-switch change from before it.
    const switched = { ...none, killSwitchChangedAt: "2026-12-02T04:00:00.000Z" };
    expect(checkInOverdueSince("checkout-api", switched, NOW)).toBeNull();
  });

  it("says a service that never checked in is overdue once its edit has waited two polls, not 'within about 60 s' for ever", () => {
    // Enabled at 11:57:00 for a service no SDK of which has asked (a misspelt name, an app not running).
    const enabled = breakpoint("a", { enabled: true, updatedAt: "2026-12-02T11:57:00.000Z" });
    const contact = { connectedSdks: {}, lastCheckIns: {}, killSwitchChangedAt: null };
    const status = breakpointStatus(enabled, NOW, false, contact);
    expect(status.state).toBe("waiting");
    expect(stateText(status, "checkout-api", contact, NOW, enabled.updatedAt)).toBe("not checked in");
    expect(waitingText("checkout-api", contact, NOW, enabled.updatedAt)).toBe(
      "checkout-api has not checked in since tracekit-local started; it will pick this up when it runs again",
    );
    const [group] = groupBreakpoints([
      enabled,
      breakpoint("b", { enabled: true, updatedAt: "2026-12-02T11:59:00.000Z" }),
    ]);
    expect(serviceWaitingSince(group!, NOW, false, contact)).toBe("2026-12-02T11:57:00.000Z");
    // Edited a minute ago: its next check-in may still come.
    const recent = { ...enabled, updatedAt: "2026-12-02T11:59:00.000Z" };
    expect(stateText(status, "checkout-api", contact, NOW, recent.updatedAt)).toBe("awaiting check-in");
    expect(waitingText("checkout-api", contact, NOW, recent.updatedAt)).toBe(
      "waiting for checkout-api's next check-in (within about 60 s)",
    );
  });

  it("tells an empty page why SDKs that ask for breakpoints may not register one again", () => {
    // No SDK asked since the start: nothing to explain.
    expect(unregisteredNote([])).toBeNull();
    // Restarted without --db: the running app asks, but its SDK registered its locations with the last run.
    const one = unregisteredNote(["frontend"]);
    expect(one).toContain("frontend asks for breakpoints, but none has registered one with this run");
    expect(one).toContain("registers them again only when it restarts");
    expect(one).toContain("--db");
    expect(one).toContain("Or make one with New breakpoint and the label the code passes");
    expect(unregisteredNote(["frontend", "backend"])).toMatch(/^frontend and backend ask for breakpoints/);
    expect(unregisteredNote(["a", "b", "c", "d", "e", "f", "g"])).toMatch(/^a, b, c, d and e \(and 2 more\) ask /);
    // Deleted here: said so, not "none has registered one with this run".
    const deleted = unregisteredNote(["shop-api"], { deletedFrom: ["shop-api"], keptAcrossRestarts: true });
    expect(deleted).toMatch(
      /^Breakpoints that shop-api registered were deleted\. .* its app registers them again when restarted\./,
    );
    expect(deleted).not.toContain("with this run");
    expect(deleted).not.toContain("--db");
    expect(deleted).toContain("Or make one with New breakpoint");
    // With --db, no advice to start with --db.
    const kept = unregisteredNote(["frontend"], { keptAcrossRestarts: true });
    expect(kept).toContain("frontend asks for breakpoints, but none is kept here");
    // Deleted before this server restarted: it does not know, and says what may have happened.
    expect(kept).toContain("registered again only when the app restarts");
    expect(kept).not.toContain("--db");
  });

  it("reads the edit form", () => {
    expect(parseMaxCaptures("")).toBe(0);
    expect(parseMaxCaptures(" ∞ ")).toBe(0);
    expect(parseMaxCaptures("25")).toBe(25);
    expect(parseMaxCaptures("-1")).toBeNull();
    expect(parseMaxCaptures("2.5")).toBeNull();
    expect(parseMaxCaptures("lots")).toBeNull();
    expect(expiryFromChoice(null, NOW)).toBeNull();
    expect(expiryFromChoice(60, NOW)).toBe("2026-12-02T13:00:00.000Z");
  });

  it("flattens the groups into equal-height panel rows, the open editor under its breakpoint", () => {
    const groups = groupBreakpoints([
      breakpoint("a", { service: "api", filePath: "a.js", lineNumber: 1 }),
      breakpoint("b", { service: "api", filePath: "a.js", lineNumber: 2 }),
      breakpoint("c", { service: "worker", filePath: "w.py", lineNumber: 3 }),
    ]);
    const describe = (editing: string | null) => panelRows(groups, editing).map((row) => `${row.kind}:${row.key}`);
    expect(describe(null)).toEqual([
      "service:service:api",
      "file:file:api:a.js",
      "breakpoint:a",
      "breakpoint:b",
      "service:service:worker",
      "file:file:worker:w.py",
      "breakpoint:c",
    ]);
    expect(describe("a").slice(2, 5)).toEqual(["breakpoint:a", "editor:edit:a", "breakpoint:b"]);
    expect(panelRows([], null)).toEqual([]);
  });

  it("asks before a delete in words that say the SDK will not register the location again until the app restarts", () => {
    const auto = deleteQuestion(breakpoint("a", { enabled: true }), "checkout.js:10");
    expect(auto).toContain('Delete the breakpoint "checkout" at checkout.js:10?');
    expect(auto).toContain("the SDK registers each code location once per run");
    expect(auto).toContain(
      "comes back (switched off) only when checkout-api restarts, or when you make it again with New breakpoint and its label",
    );
    expect(auto).toContain("turn its switch off (Disable) instead");
    const manual = deleteQuestion(
      breakpoint("m", { origin: "manual", enabled: true, label: "", lastCapturedAt: "2026-12-02T04:01:00.000Z" }),
      "a.py:3",
    );
    expect(manual).toContain("Delete the breakpoint at a.py:3?");
    // Made on the page and taken by a capture call: that call registers its label again after a restart.
    expect(manual).toContain("its capture call registers it again (switched off) when checkout-api restarts");
    expect(manual).not.toContain("for good");
    // Made on the page at a place no capture call has reached: nothing brings it back.
    expect(deleteQuestion(breakpoint("n", { origin: "manual" }), "a.py:9")).toContain(
      "No capture call has taken it: nothing registers it again",
    );
    expect(deleteQuestion(breakpoint("d"), "x.js:1")).toContain("It is disabled already");
    const byLabel = breakpoint("u", {
      origin: "manual",
      label: "refund",
      filePath: "",
      lineNumber: 0,
      service: "shop",
    });
    expect(deleteQuestion(byLabel, "its next capture's caller").split("\n")[0]).toBe(
      'Delete the breakpoint "refund" of shop (no capture call has taken it yet)?',
    );
    expect(deleteQuestion(byLabel, "its next capture's caller")).toContain(
      "nothing registers it again, unless a capture call with its label runs after shop restarts",
    );
  });
});
