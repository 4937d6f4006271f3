/**
 * Whose capture a refused body was: the service and label it names, read from its text even when it
 * is cut short or is not JSON the server takes (a body too large is read only at its start; one that
 * nests too deep is whole). Both SDKs write `service_name` and `label` before the variables, so the
 * start of the body holds them. Pure.
 */
import { serviceNameProblem } from "../domain/code-monitoring.js";

export interface CaptureOrigin {
  service: string;
  /** The label, or null when the body's start does not say it. */
  label: string | null;
}

/** The longest label kept for a refusal's event and line; a longer one is cut with "…". */
const MAX_LABEL = 200;

/** The first `"key": "…"` string in `text` whose value is a whole JSON string, unescaped. */
function firstString(text: string, key: string): string | null {
  const found = new RegExp(`"${key}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*")`).exec(text);
  if (found === null) return null;
  try {
    const value: unknown = JSON.parse(found[1] as string);
    return typeof value === "string" ? value : null;
  } catch {
    return null;
  }
}

/**
 * The service and label a capture body names at its start, or null when it names no service a
 * capture could come from (none before its variables, or one code monitoring refuses: see
 * serviceNameProblem).
 */
export function captureOrigin(text: string): CaptureOrigin | null {
  // Only what comes before the variables: a `label` or `service_name` inside them is the app's data.
  const at = text.search(/"variables"\s*:/);
  const start = at < 0 ? text : text.slice(0, at);
  const service = firstString(start, "service_name");
  if (service === null || serviceNameProblem(service) !== null) return null;
  const label = firstString(start, "label");
  return { service, label: label === null || label.length <= MAX_LABEL ? label : `${label.slice(0, MAX_LABEL)}…` };
}

/** How a refusal's line names the capture: `shop-api, label "checkout"`. */
export function captureOriginText(origin: CaptureOrigin): string {
  return origin.label === null || origin.label === ""
    ? origin.service
    : `${origin.service}, label ${JSON.stringify(origin.label)}`;
}
