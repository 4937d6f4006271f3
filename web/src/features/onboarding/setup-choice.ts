/**
 * Which set-up the Setup page opens on: the one for the SDKs the server has heard from, by the
 * `telemetry.sdk.language` and `telemetry.sdk.name` resource attributes of the newest spans.
 */

export interface ValueCount {
  value: string;
  count: number;
}

/** The TraceKit SDKs, by language: their local-UI export names the language and not the SDK. */
const TRACEKIT_SETUPS: Readonly<Record<string, string>> = { python: "tracekit-python", nodejs: "tracekit-node" };

/** OpenTelemetry SDKs, by the language they name; any other language has the generic set-up. */
const OTEL_SETUPS: Readonly<Record<string, string>> = {
  nodejs: "otel-node-cjs",
  python: "otel-python",
  go: "otel-go",
  java: "otel-java",
  dotnet: "otel-dotnet",
};

/**
 * The set-up for the language most of the newest spans name (null when none names one: the page's
 * default stands). A TraceKit SDK's unless at least as many of that language's spans come from an
 * OpenTelemetry SDK (whose resource says `telemetry.sdk.name: opentelemetry`; a TraceKit SDK's says no
 * name), then OpenTelemetry's. The two lists are counted apart, so the OpenTelemetry spans of that
 * language are taken as those the other languages (all OpenTelemetry's but Python and Node) leave over.
 */
export function suggestedSetup(languages: readonly ValueCount[], sdkNames: readonly ValueCount[]): string | null {
  const top = languages[0];
  if (top === undefined) return null;
  const language = top.value.toLowerCase();
  const fromOpenTelemetry = sdkNames.find((name) => name.value.toLowerCase() === "opentelemetry")?.count ?? 0;
  const others = languages.slice(1).reduce((sum, other) => sum + other.count, 0);
  const openTelemetryOfTop = Math.min(top.count, Math.max(0, fromOpenTelemetry - others));
  const tracekit = TRACEKIT_SETUPS[language];
  if (tracekit !== undefined && top.count - openTelemetryOfTop > openTelemetryOfTop) return tracekit;
  return OTEL_SETUPS[language] ?? "otel-any";
}
