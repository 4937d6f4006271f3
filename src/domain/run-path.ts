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
export function withRunId(resource: Attributes, runId: string, copies: Map<Attributes, Attributes>): Attributes {
  if (Object.hasOwn(resource, RUN_ID_ATTRIBUTE)) return resource;
  let copy = copies.get(resource);
  if (copy === undefined) {
    copy = { ...resource };
    setAttribute(copy, RUN_ID_ATTRIBUTE, runId);
    copies.set(resource, copy);
  }
  return copy;
}
