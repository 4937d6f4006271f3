import type { LogRecordJson } from "../../src/protocol";
import { severityOfNumber } from "../../web/src/features/logs/severity";

const BASE_NANOS = 1_764_680_000_000_000_000n;

/** A log record as GET /api/logs returns it; `at` is milliseconds after a fixed instant. */
export function logRecord(id: string, at: number, overrides: Partial<LogRecordJson> = {}): LogRecordJson {
  const severityNumber = overrides.severityNumber ?? 9;
  const time = (BASE_NANOS + BigInt(Math.round(at * 1e6))).toString();
  return {
    id,
    timeUnixNano: time,
    observedTimeUnixNano: time,
    severityNumber,
    severity: severityOfNumber(severityNumber),
    severityText: "",
    body: `record ${id}`,
    attributes: {},
    traceId: null,
    spanId: null,
    service: "checkout",
    resource: { "service.name": overrides.service ?? "checkout" },
    scope: { name: "test", version: "" },
    ...overrides,
  };
}
