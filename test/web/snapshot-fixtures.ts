import type { BreakpointJson, SnapshotSummaryJson } from "../../src/protocol";

export function breakpoint(id: string, patch: Partial<BreakpointJson> = {}): BreakpointJson {
  return {
    id,
    service: "checkout-api",
    filePath: "src/checkout.js",
    functionName: "placeOrder",
    label: "checkout",
    lineNumber: 10,
    condition: "",
    maxCaptures: 100,
    captureCount: 0,
    expireAt: null,
    enabled: false,
    origin: "auto",
    createdAt: "2026-12-02T04:00:00.000Z",
    updatedAt: "2026-12-02T04:00:00.000Z",
    lastCapturedAt: null,
    heardAt: null,
    calledFrom: null,
    ...patch,
  };
}

export function snapshotSummary(
  id: string,
  capturedAt: string,
  patch: Partial<SnapshotSummaryJson> = {},
): SnapshotSummaryJson {
  return {
    id,
    breakpointId: "bp-1",
    service: "checkout-api",
    filePath: "src/checkout.js",
    functionName: "placeOrder",
    label: "checkout",
    lineNumber: 10,
    capturedAt,
    traceId: null,
    spanId: null,
    securityFlagCount: 0,
    variableNames: ["cart"],
    calledFrom: null,
    ...patch,
  };
}
