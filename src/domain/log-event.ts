/**
 * A log record's event name. OTLP has carried it in the record's own `event_name` field since 2024;
 * before that the conventions put it in the `event.name` attribute, where instrumentations still write
 * it (the OpenTelemetry OpenAI instrumentation for Node, for its GenAI message events). Both are read,
 * the field first, as older and current attribute names are everywhere else. Pure.
 */
export function eventNameOf(record: {
  readonly eventName?: string | undefined;
  readonly attributes: Readonly<Record<string, unknown>>;
}): string | undefined {
  if (record.eventName !== undefined && record.eventName !== "") return record.eventName;
  const named = record.attributes["event.name"];
  return typeof named === "string" && named !== "" ? named : undefined;
}
