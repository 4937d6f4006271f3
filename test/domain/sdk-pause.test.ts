import { describe, expect, it } from "vitest";
import { captureState } from "../../src/domain/breakpoint-state.js";
import {
  endPauseAt,
  PAUSE_END_MARGIN_MS,
  pauseCauseText,
  pauseEnd,
  pauseLeftText,
  pauseOfEvent,
  type SdkPause,
  sdkPausesFromJson,
  sdkPauseToJson,
  servicePause,
} from "../../src/domain/sdk-pause.js";

const RECEIVED = Date.parse("2026-12-02T12:00:00.000Z");
/** As the Node SDK reports its tripped circuit breaker with its next poll, in its own words. */
const tripped = (data: Record<string, unknown>) => ({
  type: "circuit_breaker_tripped",
  data: { type: "circuit_breaker_tripped", service_name: "checkout-api", ...data },
});

describe("an SDK's pause (its circuit breaker tripped)", () => {
  it("starts at the SDK's time stamp, kept within the poll before its event arrived", () => {
    const at = (timestamp: unknown) => pauseOfEvent(tripped({ timestamp, cooldown_seconds: 300 }), RECEIVED)?.since;
    expect(at("2026-12-02T11:59:20.000Z")).toBe(RECEIVED - 40_000);
    // An SDK clock ahead of this server's: not after it arrived; far behind: not before the poll it waited for.
    expect(at("2026-12-02T12:03:00.000Z")).toBe(RECEIVED);
    expect(at("2026-12-02T11:00:00.000Z")).toBe(RECEIVED - 65_000);
    expect(at("not a time")).toBe(RECEIVED);
    expect(at(undefined)).toBe(RECEIVED);
    expect(pauseOfEvent(tripped({ timestamp: "2026-12-02T11:00:00.000Z", cooldown_seconds: 300 }), RECEIVED)).toEqual({
      since: RECEIVED - 65_000,
      until: RECEIVED - 65_000 + 300_000,
      failures: null,
      windowSeconds: null,
    });
  });

  it("takes every number from the event once: a missing or negative one is the SDK's default or unknown", () => {
    const pause = (data: Record<string, unknown>) => pauseOfEvent(tripped(data), RECEIVED);
    expect(pause({ failure_count: 3, window_seconds: 60, cooldown_seconds: 120 })).toEqual({
      since: RECEIVED,
      until: RECEIVED + 120_000,
      failures: 3,
      windowSeconds: 60,
    });
    // The Node SDK's 5 minutes.
    expect(pause({})?.until).toBe(RECEIVED + 300_000);
    expect(pause({ cooldown_seconds: -5, failure_count: -1 })).toMatchObject({
      until: RECEIVED + 300_000,
      failures: null,
    });
    expect(pause({ cooldown_seconds: "300" })?.until).toBe(RECEIVED + 300_000);
    // At most a day: a longer one (1e13 s, or one past what a number holds once in ms) could not be written.
    expect(pause({ cooldown_seconds: 86_400 })?.until).toBe(RECEIVED + 86_400_000);
    expect(pause({ cooldown_seconds: 1e13 })?.until).toBe(RECEIVED + 86_400_000);
    expect(pause({ cooldown_seconds: 1e306 })?.until).toBe(RECEIVED + 86_400_000);
    expect(pause({ cooldown_seconds: Number.POSITIVE_INFINITY })?.until).toBe(RECEIVED + 300_000);
    expect(sdkPauseToJson(pause({ cooldown_seconds: 1e13 }) as SdkPause).until).toBe("2026-12-03T12:00:00.000Z");
    expect(pauseOfEvent({ type: "something_else", data: {} }, RECEIVED)).toBeNull();
  });

  it("says why, with its counts written as the product writes counts", () => {
    const pause = { since: RECEIVED, until: RECEIVED + 300_000, failures: 3, windowSeconds: 60 };
    expect(pauseCauseText(pause)).toBe(
      "after 3 captures it could not send within 1m (this server could not be reached or failed, or the SDK could not serialize the variables, such as an object that refers to itself: see the app's console)",
    );
    expect(pauseCauseText({ ...pause, failures: 1, windowSeconds: null })).toBe(
      "after 1 capture it could not send (this server could not be reached or failed, or the SDK could not serialize the variables, such as an object that refers to itself: see the app's console)",
    );
    expect(pauseCauseText({ ...pause, failures: 1_200 })).toContain("after 1,200 captures");
    expect(pauseCauseText({ ...pause, failures: null })).toBe(
      "after captures it could not send (this server could not be reached or failed, or the SDK could not serialize the variables, such as an object that refers to itself: see the app's console)",
    );
  });

  it("travels in the breakpoints response with ISO times", () => {
    const pause = { since: RECEIVED, until: RECEIVED + 300_000, failures: 3, windowSeconds: null };
    expect(sdkPauseToJson(pause)).toEqual({
      since: "2026-12-02T12:00:00.000Z",
      until: "2026-12-02T12:05:00.000Z",
      failures: 3,
      windowSeconds: null,
    });
    expect(sdkPausesFromJson({ a: sdkPauseToJson(pause) })).toEqual({ a: pause });
    expect(sdkPausesFromJson(undefined)).toEqual({});
  });

  it("holds its service until it ends", () => {
    const pauses = { a: { since: RECEIVED, until: RECEIVED + 300_000, failures: 3, windowSeconds: 60 } };
    expect(servicePause(pauses, "a", RECEIVED + 1)).toBe(pauses.a);
    expect(servicePause(pauses, "a", RECEIVED + 299_999)).toBe(pauses.a);
    expect(servicePause(pauses, "a", RECEIVED + 300_000)).toBeNull();
    expect(servicePause(pauses, "b", RECEIVED + 1)).toBeNull();
    expect(servicePause(undefined, "a", RECEIVED + 1)).toBeNull();
  });

  it("ends, and has left, a time rounded up to the second", () => {
    const pause = { since: RECEIVED, until: RECEIVED + 269_600, failures: 3, windowSeconds: 60 };
    expect(pauseEnd(pause)).toBe(RECEIVED + 270_000);
    expect(pauseEnd({ ...pause, until: RECEIVED + 270_000 })).toBe(RECEIVED + 270_000);
    // To the nearest minute, from its end's whole second: 4m 30s reads 5m, 4m 29s 4m, 5m 0.4s 5m (not 6m).
    expect(pauseLeftText(pause, RECEIVED)).toBe("5m");
    expect(pauseLeftText(pause, RECEIVED + 1_000)).toBe("4m");
    expect(pauseLeftText(pause, RECEIVED + 30_000)).toBe("4m");
    expect(pauseLeftText({ ...pause, until: RECEIVED + 300_000 }, RECEIVED - 400)).toBe("5m");
    expect(pauseLeftText(pause, RECEIVED + 200_000)).toBe("1m");
    expect(pauseLeftText(pause, RECEIVED + 225_500)).toBe("45s");
    expect(pauseLeftText(pause, RECEIVED + 269_999)).toBe("1s");
    expect(pauseLeftText(pause, RECEIVED + 280_000)).toBe("0s");
    expect(pauseLeftText({ ...pause, until: RECEIVED + 3_900_000 }, RECEIVED)).toBe("1h 5m");
  });

  it("ends at a capture from its service that arrived while it ran, from a few seconds after it began", () => {
    const pause = { since: RECEIVED, until: RECEIVED + 300_000, failures: 3, windowSeconds: 60 };
    expect(endPauseAt(pause, RECEIVED + 6_000)).toEqual({ ...pause, until: RECEIVED + 6_000 });
    expect(endPauseAt(pause, RECEIVED + PAUSE_END_MARGIN_MS)).toEqual({ ...pause, until: RECEIVED + 5_000 });
    // Before it began or just after (the SDK sent it before it tripped, or its clock is behind this
    // server's), or after it ended: the pause as it was.
    expect(endPauseAt(pause, RECEIVED)).toBe(pause);
    expect(endPauseAt(pause, RECEIVED + PAUSE_END_MARGIN_MS - 1)).toBe(pause);
    expect(endPauseAt(pause, RECEIVED - 1)).toBe(pause);
    expect(endPauseAt(pause, RECEIVED + 300_000)).toBe(pause);
  });
});

describe("a breakpoint's capture state (the Snapshots page's and MCP's)", () => {
  const pauses = { shop: { since: RECEIVED, until: RECEIVED + 300_000, failures: 3, windowSeconds: 60 } };
  const on = {
    service: "shop",
    enabled: true,
    expireAt: null as string | null,
    maxCaptures: 0,
    captureCount: 0,
    filePath: "/srv/app.js",
  };
  const state = (patch: Partial<typeof on>, killSwitch = false) =>
    captureState({ ...on, ...patch }, RECEIVED + 1, killSwitch, pauses).state;

  it("puts the kill switch and the breakpoint's own settings first, then its SDK's pause", () => {
    expect(captureState(on, RECEIVED + 1, false, pauses)).toEqual({ state: "paused", pause: pauses.shop });
    expect(state({ enabled: false }, true)).toBe("disabled");
    expect(state({ expireAt: "2026-12-01T00:00:00.000Z" }, true)).toBe("killed");
    expect(state({ expireAt: "2026-12-01T00:00:00.000Z" })).toBe("expired");
    expect(state({ maxCaptures: 2, captureCount: 2 })).toBe("exhausted");
    // A paused SDK captures nothing, not even at the first capture call that would place one made by its label.
    expect(state({ filePath: "" })).toBe("paused");
    expect(state({ filePath: "", service: "other" })).toBe("unplaced");
    expect(state({ service: "other" })).toBe("enabled");
    expect(captureState(on, RECEIVED + 300_000, false, pauses).state).toBe("enabled");
  });
});
