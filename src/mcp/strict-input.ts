/**
 * Tool inputs that refuse arguments they do not know. A model that misspells an optional argument
 * (`traceId` for `trace_id`) would otherwise get an answer as if it had not filtered at all, and
 * take it for the filtered one.
 */
import { z } from "zod";
import { editDistance } from "../domain/edit-distance.js";

/** An object schema of `shape` whose unknown keys are an error naming the tool's arguments. */
export function strictInput<Shape extends z.ZodRawShape>(
  tool: string,
  shape: Shape,
): z.ZodObject<Shape, z.core.$strict> {
  const names = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? unknownArgumentsMessage(tool, issue.keys, names) : undefined,
  });
}

/** `unknown argument "traceId" (did you mean trace_id?); get_logs takes trace_id, service, …`. */
export function unknownArgumentsMessage(tool: string, unknown: readonly string[], names: readonly string[]): string {
  const said = unknown.map((key) => {
    const near = closestName(key, names);
    return `"${key}"${near === undefined ? "" : ` (did you mean ${near}?)`}`;
  });
  const takes = names.length === 0 ? `${tool} takes no arguments` : `${tool} takes ${names.join(", ")}`;
  return `unknown argument${unknown.length === 1 ? "" : "s"} ${said.join(", ")}; ${takes}`;
}

/** Lower case without `_`, `-` or spaces: `traceId`, `trace-id` and `TRACE_ID` read alike. */
function folded(name: string): string {
  return name.toLowerCase().replace(/[_\-\s]/g, "");
}

/**
 * The name `key` most likely means: the same folded, else within 2 edits of a folded name (a swap of
 * neighbours is one: `lmiit` for `limit`), fewer for a short one; undefined when none is.
 */
export function closestName(key: string, names: readonly string[]): string | undefined {
  const wanted = folded(key);
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor(wanted.length / 3)) + 1;
  for (const name of names) {
    const distance = editDistance(wanted, folded(name));
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}
