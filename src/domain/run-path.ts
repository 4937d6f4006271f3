import { type Attributes, setAttribute } from "./span.js";

/**
 * How `tracekit-local run` tells what its command sent. An OpenTelemetry SDK reads the run's id from
 * OTEL_RESOURCE_ATTRIBUTES into its resource. A TraceKit SDK reads no such variable, but it keeps the
 * path of the endpoint it is given and appends its own paths to it (`/v1/traces`, `/v1/metrics`,
 * `/sdk/…`), so the endpoint `run` hands it carries the id (`/run/<id>`), and the server adds the id
 * to the resource of what arrives under that path.
 */
export const RUN_ID_ATTRIBUTE = "tracekit.run.id";

/**
 * What a run id may hold in a path: letters, digits, `_` and `-`, so that it needs no encoding and no
 * URL parser takes it for `.` or `..`. `run` makes hex ids.
 */
const RUN_ID_CHARS = "[A-Za-z0-9_-]{1,64}";
const RUN_PATH_RE = new RegExp(`^/run/(${RUN_ID_CHARS})(/.*)$`);

/** The routes' base path for a run's endpoint, its id as the `runId` parameter. */
export const RUN_ROUTE = `/run/:runId{${RUN_ID_CHARS}}`;

/** The path `run` appends to the instance's address for a TraceKit SDK's endpoint. */
export function runEndpointPath(runId: string): string {
  if (!new RegExp(`^${RUN_ID_CHARS}$`).test(runId)) throw new Error(`not a run id: ${runId}`);
  return `/run/${runId}`;
}

/** The run a path was sent under and the path below it (`/run/ab12/v1/traces` → ab12, `/v1/traces`), or null. */
export function splitRunPath(path: string): { runId: string; path: string } | null {
  const match = RUN_PATH_RE.exec(path);
  return match === null ? null : { runId: match[1] as string, path: match[2] as string };
}

/** The path without its run's prefix, when it has one. */
export function withoutRunPrefix(path: string): string {
  return splitRunPath(path)?.path ?? path;
}

/**
 * `resource` with the run's id added, or `resource` itself when it carries a run id already (an
 * OpenTelemetry SDK that read OTEL_RESOURCE_ATTRIBUTES). The items of one request share their resource
 * object, and keep sharing the copy: `copies` holds the copy made of each resource.
 */
function withRunId(resource: Attributes, runId: string, copies: Map<Attributes, Attributes>): Attributes {
  if (Object.hasOwn(resource, RUN_ID_ATTRIBUTE)) return resource;
  let copy = copies.get(resource);
  if (copy === undefined) {
    copy = { ...resource };
    setAttribute(copy, RUN_ID_ATTRIBUTE, runId);
    copies.set(resource, copy);
  }
  return copy;
}

/** An item of an export: a span, a log record or a metric, under its resource and service. */
interface RunTaggable {
  service: string;
  /** Absent on a metric of one unnamed resource: it gets one holding only the run's id. */
  resource?: Attributes | undefined;
}

/**
 * Adds to each item's resource the run `runOf` names for its service (none: the item is left as it
 * is), unless the resource carries a run id already. The services of the items given a run.
 */
export function tagRuns(items: readonly RunTaggable[], runOf: (service: string) => string | undefined): Set<string> {
  const copies = new Map<Attributes, Attributes>();
  const none: Attributes = {};
  const services = new Set<string>();
  for (const item of items) {
    const runId = runOf(item.service);
    if (runId === undefined) continue;
    item.resource = withRunId(item.resource ?? none, runId, copies);
    services.add(item.service);
  }
  return services;
}

/** How long a service stays known as a run's after its last request under the run's endpoint. */
export const RUN_SERVICE_MEMORY_MS = 60_000;

/** Services remembered at most (the oldest is forgotten first). */
const MAX_RUN_SERVICES = 1_000;

/**
 * The run each service last sent under, for the second copy of its spans. A TraceKit SDK in
 * development mode also posts every span to the local UI at `localhost:9999/v1/traces`, a path that
 * cannot carry the run; with `run` on that port both copies come here, and whichever comes first is
 * kept. A span of that local-UI path is the run's its service last sent under, within the last
 * minute: a command run again is the newer run's as soon as its exporter has sent once (its first
 * copies before that may still be named for the run before it, whose summary and link were given).
 */
export class RecentRunServices {
  /** Per service (the least recently heard first): its last run, and when it last sent under it. */
  private readonly byService = new Map<string, { runId: string; atMs: number }>();

  /** `service` sent under run `runId` at `nowMs`. */
  note(service: string, runId: string, nowMs: number): void {
    this.byService.delete(service);
    this.byService.set(service, { runId, atMs: nowMs });
    if (this.byService.size > MAX_RUN_SERVICES) {
      const oldest = this.byService.keys().next().value;
      if (oldest !== undefined) this.byService.delete(oldest);
    }
  }

  /** Whether any service ever sent under a run (until then a local-UI request is not looked into). */
  any(): boolean {
    return this.byService.size > 0;
  }

  /** The run `service` last sent under, if that was within the last minute. */
  runOf(service: string, nowMs: number): string | undefined {
    const known = this.byService.get(service);
    return known === undefined || nowMs - known.atMs >= RUN_SERVICE_MEMORY_MS ? undefined : known.runId;
  }
}
