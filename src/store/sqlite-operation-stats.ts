import { SPAN_KINDS, type SpanStatus, STATUS_CODES } from "../domain/span.js";
import { decodeJson } from "./sqlite-json.js";
import type { SpanLookups } from "./sqlite-lookups.js";
import { SPAN_SLOTS, type Statements } from "./sqlite-schema.js";
import { fromStoredNs, type SpanBody } from "./sqlite-span-codec.js";
import type { StoredTraces, TraceEntry } from "./sqlite-traces.js";

type SpanStatsRow = [id: bigint, serviceId: bigint, startNs: bigint, endNs: bigint, statusCode: bigint, body: string];

const STATUSES: readonly SpanStatus[] = STATUS_CODES.map((code) => ({ code }));

/**
 * Rebuilds the per-operation statistics of every stored span from the file (at open, and after a
 * failed flush), after `traces.load()`: rows come in key order, which is the traces' arrival order,
 * so each row's trace is found by walking the entries alongside.
 */
export function loadOperationStats(stmts: Statements, traces: StoredTraces, lookups: SpanLookups): void {
  const entries = traces.entries.values();
  let entry: TraceEntry | undefined = entries.next().value;
  for (const row of stmts.allSpanStats.iterate() as Iterable<SpanStatsRow>) {
    const [id, serviceId, startNs, endNs, statusCode, bodyText] = row;
    const seq = Math.floor(Number(id) / SPAN_SLOTS);
    while (entry !== undefined && entry.seq < seq) entry = entries.next().value;
    if (entry === undefined) break;
    if (entry.seq !== seq) continue;
    const body = decodeJson<SpanBody>(bodyText);
    traces.stats.add(
      {
        name: body[2],
        kind: SPAN_KINDS[body[3]] ?? "UNSPECIFIED",
        attributes: lookups.attributesOf(body),
        service: lookups.serviceNameById.get(Number(serviceId)) ?? "",
        parentSpanId: body[1],
        startTimeUnixNano: fromStoredNs(startNs),
        endTimeUnixNano: fromStoredNs(endNs),
        status: STATUSES[Number(statusCode)] ?? (STATUSES[0] as SpanStatus),
      },
      entry.stats,
    );
  }
}
