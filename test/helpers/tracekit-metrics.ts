/**
 * Metrics exports built the way the TraceKit SDKs build them when pointed at this server as their
 * backend (`TRACEKIT_ENDPOINT`): OTLP/JSON by hand, scope `tracekit`, every counter a monotonic sum
 * with `aggregationTemporality: 2` whose points are increments, gauges and histograms both as gauge
 * points (one per set or recorded value), values in `asDouble`, tags as string attributes, posted
 * with `X-API-Key`. The SDK packages cannot be installed here, so these follow their published source.
 */
import { PythonFloat, pythonJsonDumps, type SdkResponse, sdkPost } from "./tracekit-sdk.js";

export interface TraceKitMetricPoint {
  name: string;
  type: "counter" | "gauge" | "histogram";
  /** As the app gave them: the SDKs write each in `stringValue` as it is, a number or boolean too. */
  tags?: Record<string, string | number | boolean>;
  value: number;
  /** When it was recorded, unix ms (the SDKs stamp each point as it is recorded). */
  atMs: number;
}

/**
 * The request body: points grouped by name and type (in first-seen order), a `sum` for counters and
 * a `gauge` for the rest. `time` writes a point's timestamp as each SDK does; `value` its value.
 */
function metricsPayload(
  service: string,
  points: TraceKitMetricPoint[],
  time: (ms: number) => string,
  value: (v: number) => unknown,
): unknown {
  const groups = new Map<string, TraceKitMetricPoint[]>();
  for (const p of points) {
    const key = `${p.name}:${p.type}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const metrics = [...groups.values()].map((group) => {
    const { name, type } = group[0] as TraceKitMetricPoint;
    const dataPoints = group.map((p) => ({
      attributes: Object.entries(p.tags ?? {}).map(([key, v]) => ({ key, value: { stringValue: v } })),
      timeUnixNano: time(p.atMs),
      asDouble: value(p.value),
    }));
    return type === "counter"
      ? { name, sum: { dataPoints, aggregationTemporality: 2, isMonotonic: true } }
      : { name, gauge: { dataPoints } };
  });
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeMetrics: [{ scope: { name: "tracekit" }, metrics }],
      },
    ],
  };
}

/** Node (`src/metrics-exporter.ts`): `JSON.stringify`, times `String(ms * 1_000_000)`. */
export function nodeMetricsBody(service: string, points: TraceKitMetricPoint[]): string {
  return JSON.stringify(
    metricsPayload(
      service,
      points,
      (ms) => String(ms * 1_000_000),
      (v) => v,
    ),
  );
}

/**
 * Python (`tracekit/metrics_exporter.py`): `json.dumps` (", " separators, NaN as a bare token), times
 * `str(int(time.time() * 1_000_000_000))` from float seconds, values Python floats (`1.0`).
 */
export function pythonMetricsBody(service: string, points: TraceKitMetricPoint[]): string {
  return pythonJsonDumps(
    metricsPayload(
      service,
      points,
      (ms) => BigInt(Math.trunc((ms / 1000) * 1_000_000_000)).toString(),
      (v) => new PythonFloat(v),
    ),
  );
}

/** The SDKs buffer up to 100 points and then export: the requests a run of points becomes. */
export function sdkBatches(points: TraceKitMetricPoint[]): TraceKitMetricPoint[][] {
  const batches: TraceKitMetricPoint[][] = [];
  for (let i = 0; i < points.length; i += 100) batches.push(points.slice(i, i + 100));
  return batches;
}

/**
 * POSTs an export as the SDK does: Node's bare `http.request` / Python's `http.client` with
 * Content-Type, Content-Length and X-API-Key. Neither adds a User-Agent (Python's `urllib` would;
 * `http.client` sends only Host and `Accept-Encoding: identity` of its own).
 */
export function postTraceKitMetrics(port: number, body: string, flavour: "node" | "python"): Promise<SdkResponse> {
  return sdkPost(port, body, flavour, "/v1/metrics", { "X-API-Key": "local" });
}
