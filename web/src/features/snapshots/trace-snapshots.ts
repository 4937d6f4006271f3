/** Snapshots inside one trace, for the trace view's marks and span details. Pure. */

import { findSecret, redactionMarker, type SecretFinding } from "../../../../src/domain/secret-scan";
import type { SnapshotSummaryJson } from "../../../../src/protocol";
import { containerPreview, previewText, quotedText, valueType } from "./variable-tree";

/** The snapshots of each span, in the server's order (oldest first: the order they were taken in). */
export function snapshotsBySpan(
  snapshots: readonly SnapshotSummaryJson[] | undefined,
): Map<string, SnapshotSummaryJson[]> {
  const bySpan = new Map<string, SnapshotSummaryJson[]>();
  for (const snapshot of snapshots ?? []) {
    if (snapshot.spanId === null) continue;
    const spanId = snapshot.spanId.toLowerCase();
    const list = bySpan.get(spanId);
    if (list) list.push(snapshot);
    else bySpan.set(spanId, [snapshot]);
  }
  return bySpan;
}

/** The link to a snapshot's span in the trace view. */
export function spanLink(traceId: string, spanId: string | null): string {
  const trace = `/traces/${encodeURIComponent(traceId)}`;
  return spanId === null ? trace : `${trace}?span=${encodeURIComponent(spanId)}`;
}

/** The first `max` variable names, and how many more there are. */
export function topVariables(names: readonly string[], max = 5): { names: string[]; more: number } {
  return { names: names.slice(0, max), more: Math.max(0, names.length - max) };
}

export interface VariablePreview {
  name: string;
  /** One line: a string in quotes (cut short), a number, `{3 keys}`, `[12 items]`. */
  text: string;
  secret: SecretFinding | null;
  /** The SDK's redaction marker type, when the value is one. */
  redacted: string | null;
}

const PREVIEW_CHARS = 48;

/** The first top-level variables of a snapshot as one line each, for the span details. */
export function previewVariables(variables: unknown, max = 4): VariablePreview[] {
  if (variables === null || typeof variables !== "object" || Array.isArray(variables)) return [];
  return Object.entries(variables as Record<string, unknown>)
    .slice(0, max)
    .map(([name, value]) => {
      const type = valueType(value);
      let text: string;
      if (type === "string") {
        const { text: head, truncated } = previewText(value as string, PREVIEW_CHARS);
        text = `"${quotedText(head)}${truncated ? "…" : ""}"`;
      } else if (type === "object" || type === "array") {
        text = containerPreview(value, type);
      } else text = String(value);
      return {
        name,
        text,
        secret: findSecret(value, name),
        redacted: typeof value === "string" ? redactionMarker(value) : null,
      };
    });
}
