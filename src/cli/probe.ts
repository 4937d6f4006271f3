import { resolve } from "node:path";
import type { HealthResponse } from "../protocol.js";
import { accepts, type OtlpOnlyPort, probeInstanceOrPort } from "./instance.js";

/** A tracekit-local found on a port: where, and what it says of itself on /api/health. */
export interface ExistingInstance {
  url: string;
  version: string;
  /** Its storage and OTLP listeners, when its health answer has them (older versions may not). */
  storage: Partial<HealthResponse["storage"]> | null;
  otlp: Partial<HealthResponse["otlp"]> | null;
  /** Where it forwards to (null: nowhere, or not said). */
  forwarding: Partial<HealthResponse["forwarding"]> | null;
}

/** One of a running tracekit-local's extra OTLP ports (`--otlp-http-port`, `--otlp-grpc-port`). */
export interface ExtraOtlpPort {
  otlpOnly: OtlpOnlyPort;
  /** Its UI and API, on the host asked. */
  mainUrl: string;
}

/** A tracekit-local on a port that does not serve yet (it waits for its `--db` file). */
export interface NotServingInstance {
  url: string;
  /** Why, as its health answer says (notServingText makes the line). */
  notServing: string;
}

/** The address to reach a listener on `host` from this machine. */
function reachableHost(host: string): string {
  return host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
}

/**
 * Asks whatever listens on host:port whether it is a tracekit-local: the instance, one of its extra
 * OTLP ports, one not serving yet, "other" when something else accepts connections there (or does not answer in time),
 * null when nothing does.
 */
export async function probePort(
  host: string,
  port: number,
  timeoutMs = 3000,
): Promise<ExistingInstance | ExtraOtlpPort | NotServingInstance | "other" | null> {
  const hostPart = reachableHost(host);
  if (!(await accepts(hostPart, port, Math.min(timeoutMs, 1000)))) return null;
  const answer = await probeInstanceOrPort(`http://${hostPart}:${port}`, timeoutMs);
  if (answer === null) return "other";
  const shown = host === "127.0.0.1" || host === "0.0.0.0" || host === "::" ? "localhost" : hostPart;
  if ("otlpOnly" in answer)
    return { otlpOnly: answer.otlpOnly, mainUrl: `http://${shown}:${answer.otlpOnly.mainPort}` };
  if ("notServing" in answer) return { url: `http://${shown}:${port}`, notServing: answer.notServing };
  const { health } = answer;
  const { storage, otlp, forwarding } = health as Partial<HealthResponse>;
  return {
    url: `http://${shown}:${port}`,
    version: health.version,
    storage: typeof storage === "object" && storage !== null ? storage : null,
    otlp: typeof otlp === "object" && otlp !== null ? otlp : null,
    forwarding: typeof forwarding === "object" && forwarding !== null ? forwarding : null,
  };
}

/** The tracekit-local on host:port, or null when none answers there in time. */
export async function probeExistingInstance(
  host: string,
  port: number,
  timeoutMs?: number,
): Promise<ExistingInstance | null> {
  const found = await probePort(host, port, timeoutMs);
  return found === "other" || (found !== null && ("otlpOnly" in found || "notServing" in found)) ? null : found;
}

/**
 * The URL of the tracekit-local that keeps `dbPath` open, among those on localhost at `ports` (where
 * one is most likely: the default port, TRACEKIT_LOCAL_PORT), or null. Its health names its file
 * (resolved), so one found is the holder, not a guess; one on another port is not found.
 */
export async function instanceHoldingFile(dbPath: string, ports: readonly number[]): Promise<string | null> {
  const path = resolve(dbPath);
  for (const port of new Set(ports)) {
    const found = await probeExistingInstance("127.0.0.1", port, 500);
    if (found?.storage?.kind === "sqlite" && found.storage.path === path) return found.url;
  }
  return null;
}
