/**
 * How an OTLP/HTTP sender learns how many items of an export were stored already and not stored
 * again (a resend: a retry, a file imported twice). The OTLP answer has no field for it: partial
 * success counts refusals, and a resend is not refused. A sender that wants the count asks with
 * REPORT_DUPLICATES_HEADER; the 200 then comes after the items are stored and carries the count in
 * DUPLICATES_HEADER. `tracekit-local import` asks; OpenTelemetry exporters do not, and their answers
 * are as the OTLP specification has them.
 */
export const REPORT_DUPLICATES_HEADER = "x-tracekit-report-duplicates";
export const DUPLICATES_HEADER = "x-tracekit-duplicates";
