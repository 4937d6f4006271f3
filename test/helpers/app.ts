import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AppEvent, type RunningApp, startApp } from "../../src/app.js";
import { resolveConfig } from "../../src/config.js";
import type { ForwardTuning } from "../../src/forward/target.js";
import type { GrpcPortTimeouts } from "../../src/server/otlp-grpc.js";

export interface TestApp extends RunningApp {
  events: AppEvent[];
  /** http://127.0.0.1:<port>, which the Host policy accepts. */
  base: string;
}

/** A fresh app on an ephemeral port, memory store unless a db path is given. */
export async function startTestApp(
  options: {
    db?: string;
    /** `--host`; 127.0.0.1 by default. */
    host?: string;
    maxSpans?: number;
    maxLogs?: number;
    maxMetricSeries?: number;
    otlpHttpPort?: number;
    otlpGrpcPort?: number;
    maxBodyBytes?: number;
    forward?: string[];
    forwardHeader?: string[];
    forwardCompression?: string;
    /** `--cors-origin` values. */
    corsOrigin?: string[];
    forwardTuning?: Partial<ForwardTuning>;
    grpcPortTimeouts?: Partial<GrpcPortTimeouts>;
    /** With `db`: see Config.onDatabasePragma. */
    onDatabasePragma?: (pragma: (statement: string) => unknown) => void;
  } = {},
): Promise<TestApp> {
  const events: AppEvent[] = [];
  const config = resolveConfig(
    {
      port: 0,
      open: false,
      host: options.host,
      db: options.db,
      maxSpans: options.maxSpans,
      maxLogs: options.maxLogs,
      maxMetricSeries: options.maxMetricSeries,
      otlpHttpPort: options.otlpHttpPort,
      otlpGrpcPort: options.otlpGrpcPort,
      forward: options.forward,
      forwardHeader: options.forwardHeader,
      forwardCompression: options.forwardCompression,
      corsOrigin: options.corsOrigin,
    },
    {},
  );
  const app = await startApp(
    {
      ...config,
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
      ...(options.forwardTuning === undefined ? {} : { forwardTuning: options.forwardTuning }),
      ...(options.grpcPortTimeouts === undefined ? {} : { grpcPortTimeouts: options.grpcPortTimeouts }),
      ...(options.onDatabasePragma === undefined ? {} : { onDatabasePragma: options.onDatabasePragma }),
    },
    (event) => events.push(event),
  );
  // Tests start on open stores (a failed open rejects here, as the start did before it listened early).
  await app.ready;
  return { ...app, close: app.close, events, base: `http://127.0.0.1:${app.port}` };
}

/** A temp directory removed by the returned function. */
export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), "tracekit-local-test-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
