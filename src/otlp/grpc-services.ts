/** The OTLP/gRPC service of each signal (from the collector `.proto` files); each has one unary `Export`. */
export const OTLP_GRPC_SERVICES = {
  traces: "opentelemetry.proto.collector.trace.v1.TraceService",
  logs: "opentelemetry.proto.collector.logs.v1.LogsService",
  metrics: "opentelemetry.proto.collector.metrics.v1.MetricsService",
} as const;
