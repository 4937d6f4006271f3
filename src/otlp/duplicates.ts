/**
 * How an OTLP/HTTP sender learns how many items of an export were stored already and not stored
 * again (a resend: a retry, a file imported twice). The OTLP answer has no field for it: partial
 * success counts refusals, and a resend is not refused. A sender that wants the count asks with
 * REPORT_DUPLICATES_HEADER; the 200 then comes after the items are stored and carries the count in
 * DUPLICATES_HEADER. `tracekit-local import` asks; OpenTelemetry exporters do not, and their answers
 * are as the OTLP specification has them.
 *
 * A trace export so asked also names the traces of the request that took no new span (all of their
 * spans were held already, or refused), so that the sender counts the traces it added: in field
 * UNCHANGED_TRACES_FIELD of the protobuf answer (a repeated string, which OTLP's message does not
 * use; parsers skip it), or under UNCHANGED_TRACES_KEY of the JSON one. Its answer also says, in
 * LATE_SPANS_HEADER, how many of its spans were dropped as late spans of traces that retention had
 * evicted: an OTLP answer leaves them out of partial success (an exporter has nothing to retry), so
 * without it the sender would count them as stored.
 */
import { ProtoWriter } from "./protobuf/writer.js";

export const REPORT_DUPLICATES_HEADER = "x-tracekit-report-duplicates";
export const DUPLICATES_HEADER = "x-tracekit-duplicates";
export const LATE_SPANS_HEADER = "x-tracekit-late-spans";
export const UNCHANGED_TRACES_FIELD = 1000;
export const UNCHANGED_TRACES_KEY = "tracekitUnchangedTraceIds";

/** `ids` as repeated string field UNCHANGED_TRACES_FIELD, to append to a protobuf answer (appended fields merge). */
export function encodeUnchangedTraces(ids: readonly string[]): Uint8Array {
  const writer = new ProtoWriter(Math.max(64, ids.length * 36));
  for (const id of ids) writer.stringField(UNCHANGED_TRACES_FIELD, id);
  return writer.finish();
}
