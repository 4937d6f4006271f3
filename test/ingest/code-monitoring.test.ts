import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/errors.js";
import { createCodeMonitoring } from "../../src/ingest/code-monitoring.js";
import { createLiveHub } from "../../src/live/hub.js";
import { createSdkStreams } from "../../src/live/sdk-streams.js";
import { createMemoryCodeMonitoringStore } from "../../src/store/code-monitoring-memory-store.js";

function setup(maxBreakpoints: number) {
  const store = createMemoryCodeMonitoringStore();
  const hub = createLiveHub({ getSummaries: () => [], getLatest: () => [] });
  const streams = createSdkStreams();
  const codeMonitoring = createCodeMonitoring({ store, hub, streams, maxBreakpoints });
  return {
    store,
    codeMonitoring,
    close() {
      codeMonitoring.close();
      streams.close();
      hub.close();
    },
  };
}

const location = (line: number) => ({
  service: "checkout",
  filePath: "/app/a.js",
  lineNumber: line,
  functionName: "pay",
  label: "",
});

describe("code monitoring rules", () => {
  it("refuses a new breakpoint past the bound with a 409, and still answers for known locations", () => {
    const { store, codeMonitoring, close } = setup(3);
    try {
      for (let line = 1; line <= 3; line++) expect(codeMonitoring.autoRegister(location(line)).created).toBe(true);
      const refusal = (() => {
        try {
          codeMonitoring.autoRegister(location(4));
        } catch (error) {
          return error;
        }
      })();
      expect(refusal).toBeInstanceOf(AppError);
      expect(refusal).toMatchObject({ status: 409, code: "too_many_breakpoints" });
      expect(() =>
        codeMonitoring.createBreakpoint({
          ...location(5),
          condition: "",
          maxCaptures: 0,
          expireAt: null,
          enabled: true,
        }),
      ).toThrow(/at most 3 breakpoints/);
      expect(codeMonitoring.autoRegister(location(2)).created).toBe(false);
      expect(store.stats().breakpoints).toBe(3);
    } finally {
      close();
    }
  });

  it("counts each accepted capture and stops at max_captures", () => {
    const { store, codeMonitoring, close } = setup(10);
    try {
      const { breakpoint } = codeMonitoring.autoRegister(location(1));
      codeMonitoring.updateBreakpoint(breakpoint.id, { enabled: true, maxCaptures: 2 });
      const request = {
        ...location(1),
        breakpointId: breakpoint.id,
        capturedAt: null,
        traceId: null,
        spanId: null,
        variables: {},
        variableNames: [],
        securityFlags: [],
        stackTrace: "",
        requestContext: null,
      };
      codeMonitoring.capture(request);
      codeMonitoring.capture(request);
      expect(() => codeMonitoring.capture(request)).toThrow(/exhausted/);
      expect(store.getBreakpoint(breakpoint.id)).toMatchObject({ captureCount: 2, lastCapturedAt: expect.any(Number) });
      expect(store.stats().snapshots).toBe(2);
      expect(codeMonitoring.sdkBreakpoint(store.getBreakpoint(breakpoint.id)!)).toMatchObject({ enabled: false });
    } finally {
      close();
    }
  });
});
