/**
 * Which set-up the Setup page opens on: the one for the SDKs the server has heard from, by the
 * instrumentation scopes (tracers) of the newest spans, then by their `telemetry.sdk.language` and
 * `telemetry.sdk.name` resource attributes.
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
  // OpenTelemetry JS in a web page says `webjs`, not `nodejs`.
  webjs: "otel-browser",
  python: "otel-python",
  go: "otel-go",
  java: "otel-java",
  dotnet: "otel-dotnet",
};

/**
 * A TraceKit SDK's own tracer, by the scope name its spans carry, or undefined. Sent to an endpoint,
 * a TraceKit SDK's spans go through OpenTelemetry's exporter and their resource reads as any
 * OpenTelemetry SDK's (`telemetry.sdk.name: opentelemetry`); only the tracer tells them apart. The
 * Node SDK's middleware spans are `@tracekit/node-apm`'s; the Python SDK's are its client module's
 * (`tracekit.client`: Python names a tracer after its module).
 */
function tracekitSetupOfScope(scope: string): string | undefined {
  if (scope === "@tracekit/node-apm" || scope.startsWith("@tracekit/node-apm/")) return "tracekit-node";
  if (scope === "tracekit" || scope.startsWith("tracekit.")) return "tracekit-python";
  return undefined;
}

/**
 * The set-up for the SDKs heard from: a TraceKit SDK's when any of the newest spans comes from one
 * (`scopes`: their instrumentation scopes' names, see tracekitSetupOfScope; the one with the most spans),
 * else suggestedSetupByLanguage.
 */
export function suggestedSetup(
  languages: readonly ValueCount[],
  sdkNames: readonly ValueCount[],
  scopes: readonly ValueCount[] = [],
): string | null {
  let best: { setup: string; count: number } | null = null;
  for (const { value, count } of scopes) {
    const setup = tracekitSetupOfScope(value);
    if (setup !== undefined && (best === null || count > best.count)) best = { setup, count };
  }
  return best?.setup ?? suggestedSetupByLanguage(languages, sdkNames);
}

/**
 * The set-up for the language most of the newest spans name (null when none names one: the page's
 * default stands). A TraceKit SDK's unless at least as many of that language's spans come from an
 * OpenTelemetry SDK (whose resource says `telemetry.sdk.name: opentelemetry`; a TraceKit SDK's spans
 * sent to the local UI's port by its own span processor say no name), then OpenTelemetry's. The two lists are counted apart, so the OpenTelemetry spans of that
 * language are taken as those the other languages (all OpenTelemetry's but Python and Node) leave over.
 */
function suggestedSetupByLanguage(languages: readonly ValueCount[], sdkNames: readonly ValueCount[]): string | null {
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
