import { operationOf } from "../domain/operation.js";
import { type OperationEntry, OTHER_OPERATIONS, type StatsSpan, type StatsTokens } from "./operation-stats.js";

/**
 * The names of the operations a trace's spans belong to (operationOf, what `operation=` compares),
 * each once; null when not known (its spans are then read). A query that requires `operation="X"`
 * passes over a trace without X by this list alone, without reading its spans.
 */
export type TraceOperations = string[] | null;

/**
 * The most operations a trace lists: past them it stops (null), and a query requiring an operation
 * reads its spans. A trace of many differently named spans (a batch job's, an import's) would
 * otherwise make every span's check a walk of a long list: 220,000 such spans took 110 s to insert.
 */
export const MAX_TRACE_OPERATIONS = 64;

/**
 * A trace's operations with `name` noted (the same list, or null once past MAX_TRACE_OPERATIONS or
 * when they were not known), `counts` told of a name new there or of the trace's list given up.
 */
export function noteOperation(
  operations: TraceOperations,
  name: string,
  counts?: OperationTraceCounts,
): TraceOperations {
  if (operations === null || operations.includes(name)) return operations;
  if (operations.length >= MAX_TRACE_OPERATIONS) {
    counts?.removeTrace(operations);
    counts?.addTrace(null);
    return null;
  }
  operations.push(name);
  counts?.added(name);
  return operations;
}

/**
 * How many stored traces hold each operation, and how many do not know theirs: a query requiring an
 * operation no trace holds is answered at once, without walking the traces.
 */
export class OperationTraceCounts {
  private readonly counts = new Map<string, number>();
  private unknown = 0;

  clear(): void {
    this.counts.clear();
    this.unknown = 0;
  }

  /** A trace's operations gained `name` (see noteOperation). */
  added(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  /** A stored trace with these operations (a new one, or one read back). */
  addTrace(operations: TraceOperations): void {
    if (operations === null) this.unknown++;
    else for (const name of operations) this.added(name);
  }

  /** A trace with these operations left (evicted). */
  removeTrace(operations: TraceOperations): void {
    if (operations === null) {
      this.unknown--;
      return;
    }
    for (const name of operations) {
      const count = (this.counts.get(name) ?? 0) - 1;
      if (count > 0) this.counts.set(name, count);
      else this.counts.delete(name);
    }
  }

  /** False when no stored trace can hold one of each list of `required` (see operationsAllow). */
  mayHold(required: readonly (readonly string[])[]): boolean {
    if (this.unknown > 0) return true;
    return required.every((oneOf) => oneOf.some((name) => this.counts.has(name)));
  }
}

/**
 * The name of the operation `span` was just counted under (the last of `tokens`): the statistics'
 * own string, so traces share it, and the span is not named again unless counted in an
 * "(other operations)" row.
 */
export function countedOperationName(tokens: StatsTokens, span: StatsSpan): string {
  const op = tokens.ops[tokens.ops.length - 1];
  return op === undefined || isOverflow(op) ? operationOf(span).name : op.name;
}

/** The operation's own name, or undefined for an "(other operations)" row, which stands for many. */
export function nameOfOperation(op: OperationEntry | undefined): string | undefined {
  return op === undefined || isOverflow(op) ? undefined : op.name;
}

function isOverflow(op: OperationEntry): boolean {
  return op.key === "" && op.name === OTHER_OPERATIONS;
}

/**
 * Whether a trace with these operations may match a query requiring `required` (one of each list,
 * see CompiledSpanQuery.operations): false only when the trace's operations are known and lack all
 * of one list.
 */
export function operationsAllow(operations: TraceOperations, required: readonly (readonly string[])[]): boolean {
  if (operations === null) return true;
  for (const oneOf of required) if (!oneOf.some((name) => operations.includes(name))) return false;
  return true;
}
