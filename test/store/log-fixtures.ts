import { type LogRecord, type LogSeverity, severityOf } from "../../src/domain/log.js";
import type { Attributes, AttrValue } from "../../src/domain/span.js";
import { ms, resourceFor, spanId, traceId } from "./span-fixtures.js";

export interface LogSpec {
  /** Milliseconds after T0. */
  at?: number;
  service?: string;
  /** 0–24 (default 9, INFO). */
  severityNumber?: number;
  severityText?: string;
  body?: AttrValue;
  attributes?: Attributes;
  /** Small numbers, as in span-fixtures (trace 3, span 2); null for none. */
  trace?: number | null;
  span?: number | null;
}

const SCOPE = { name: "test-logger", version: "1.0.0" };

export function makeLog(spec: LogSpec = {}): LogRecord {
  const time = ms(spec.at ?? 0);
  const severityNumber = spec.severityNumber ?? 9;
  const severityText = spec.severityText ?? "";
  const service = spec.service ?? "api";
  return {
    timeUnixNano: time,
    observedTimeUnixNano: time,
    severityNumber,
    severity: severityOf(severityNumber, severityText),
    severityText,
    body: spec.body === undefined ? "hello" : spec.body,
    attributes: spec.attributes ?? {},
    traceId: spec.trace === undefined || spec.trace === null ? null : traceId(spec.trace),
    spanId: spec.span === undefined || spec.span === null ? null : spanId(spec.span),
    service,
    resource: resourceFor(service),
    scope: SCOPE,
  };
}

/** Severity numbers at the bottom of each range. */
export const SEVERITY_NUMBER: Record<Exclude<LogSeverity, "UNSPECIFIED">, number> = {
  TRACE: 1,
  DEBUG: 5,
  INFO: 9,
  WARN: 13,
  ERROR: 17,
  FATAL: 21,
};

/** A record with every field filled: a structured body, an event name, flags, extreme times. */
export function richLog(): LogRecord {
  return {
    timeUnixNano: 2n ** 64n - 1n,
    observedTimeUnixNano: 1_700_000_000_123_456_789n,
    severityNumber: 18,
    severity: "ERROR",
    severityText: "Error",
    body: {
      message: "Payment Declined",
      code: 402,
      retry: false,
      nothing: null,
      tags: ["a", 1, 2.5, ["nested"]],
      weird: 'x\ny"z 日本語 🚀',
      "not.a.number": Number.NaN,
    },
    attributes: {
      "exception.type": "CardError",
      big: "18446744073709551615",
      bytes: "3q2+7w==",
      user: { id: "u-1", roles: ["admin"] },
      infinite: Number.NEGATIVE_INFINITY,
    },
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    service: "checkout",
    resource: { "service.name": "checkout", "service.version": "2.3.1", "host.cores": 8 },
    scope: { name: "checkout.payments", version: "0.9.1", attributes: { "scope.attr": 1 } },
    eventName: "payment.declined",
    flags: 1,
    droppedAttributesCount: 3,
    bytes: { attributes: ["bytes"] },
  };
}
