import { RUN_ID_ATTRIBUTE, runEndpointPath } from "../domain/run-path.js";
import { tracekitDevModeFinds } from "../domain/tracekit-dev-mode.js";

const PER_SIGNAL_OVERRIDES = [
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
  "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
  "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL",
  "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
];

/** Settings for an OpenTelemetry SDK on a developer's machine, each given only when the user has not. */
const LOCAL_DEFAULTS: readonly (readonly [string, string])[] = [
  ["OTEL_NODE_RESOURCE_DETECTORS", "env,host,os,process"],
  ["OTEL_BSP_SCHEDULE_DELAY", "500"],
];

export interface RunEnvOptions {
  /** The instance's base URL, e.g. http://localhost:9999. */
  url: string;
  runId: string;
  service?: string;
}

/**
 * The environment `tracekit-local run` gives the command: pointed at this instance, tagged with the run.
 * `run` is an explicit request to send here, so the OTLP endpoint variables are overwritten (and the
 * per-signal ones removed, since an SDK prefers them to the shared one); ENV and NODE_ENV are the
 * user's to choose and are only filled in when unset, and only for the instance at localhost:9999. A
 * copy of `env`; `env` itself is left alone.
 */
export function runEnvironment(env: NodeJS.ProcessEnv, options: RunEnvOptions): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  // A TraceKit SDK in development mode also posts every span to whatever answers at localhost:9999,
  // whichever instance its endpoint names: elsewhere it would send the app's spans to another instance
  // or another tool. Nor is it needed there: with TRACEKIT_ENDPOINT here the SDK sends everything through it.
  if (tracekitDevModeFinds(options.url)) {
    if (!out.ENV) out.ENV = "development";
    if (!out.NODE_ENV) out.NODE_ENV = "development";
  }
  // As the README's snippets set them, when unset: no probe of cloud metadata addresses (169.254.169.254
  // and the like: nothing but this server is reached), spans sent every half second, not every 5 s.
  for (const [name, value] of LOCAL_DEFAULTS) if (!out[name]) out[name] = value;
  for (const name of PER_SIGNAL_OVERRIDES) delete out[name];
  out.OTEL_EXPORTER_OTLP_ENDPOINT = options.url;
  out.OTEL_EXPORTER_OTLP_PROTOCOL = "http/protobuf";
  // A TraceKit SDK reads no OTEL_ variable: the run's id travels in the path of its endpoint, which it
  // keeps and appends its own paths to, and the instance adds it to what arrives there.
  out.TRACEKIT_ENDPOINT = `${options.url}${runEndpointPath(options.runId)}`;
  if (options.service !== undefined) out.OTEL_SERVICE_NAME = options.service;
  // The resource attribute list is comma-separated key=value pairs; the user's own pairs are kept.
  const tag = `${RUN_ID_ATTRIBUTE}=${encodeURIComponent(options.runId)}`;
  const own = out.OTEL_RESOURCE_ATTRIBUTES?.trim().replace(/,+$/, "");
  out.OTEL_RESOURCE_ATTRIBUTES = own ? `${own},${tag}` : tag;
  return out;
}
