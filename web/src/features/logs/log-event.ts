/**
 * Whether a log record is an event, and its name. OTLP has carried the name in the record's own
 * `event_name` field since 2024; before that the conventions put it in the `event.name` attribute,
 * where instrumentations still write it (the OpenTelemetry OpenAI instrumentation for Node, for its
 * GenAI message events). Both are read, the field first, as the older and current attribute names are
 * everywhere else. Pure.
 */
import type { LogRecordJson } from "../../../../src/protocol";

export function logEventName(record: Pick<LogRecordJson, "eventName" | "attributes">): string | undefined {
  if (record.eventName !== undefined && record.eventName !== "") return record.eventName;
  const named = record.attributes["event.name"];
  return typeof named === "string" && named !== "" ? named : undefined;
}
