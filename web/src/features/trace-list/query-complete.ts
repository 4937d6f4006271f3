/**
 * Autocomplete for the trace list's query box (pure): what the word at the caret is (a key or the
 * value of a key), which suggestions fit it, and the text once one is picked.
 */

import { INTRINSIC_FIELDS } from "../../../../src/domain/query";

/** Span fields every query can use (the parser's, and the span's scope as Jaeger names it), offered before attribute keys. */
export const QUERY_FIELDS: readonly string[] = [...INTRINSIC_FIELDS, "otel.scope.name", "otel.scope.version"];

/** Values the server knows without looking: offered for `status=` and `kind=`. */
export const FIXED_VALUES: Readonly<Record<string, readonly string[]>> = {
  status: ["error", "ok", "unset"],
  kind: ["server", "client", "producer", "consumer", "internal"],
};

export type CompletionContext =
  | { kind: "key"; prefix: string; from: number; to: number }
  | { kind: "value"; key: string; prefix: string; from: number; to: number };

const BOUNDARY = /[\s()|]/;
const OPERATOR = /!=|>=|<=|[=<>~]/;
const KEYWORDS = new Set(["or", "and", "not", "&&"]);

/** The word around `caret` as [start, end), skipping quoted stretches (they may hold spaces). */
function wordAround(text: string, caret: number): [number, number] {
  let start = 0;
  let inQuote = false;
  for (let i = 0; i < caret; i++) {
    const ch = text[i] as string;
    if (ch === "\\" && inQuote) i++;
    else if (ch === '"') inQuote = !inQuote;
    else if (!inQuote && BOUNDARY.test(ch)) start = i + 1;
  }
  let end = caret;
  while (end < text.length) {
    const ch = text[end] as string;
    if (ch === "\\" && inQuote) end++;
    else if (ch === '"') inQuote = !inQuote;
    else if (!inQuote && BOUNDARY.test(ch)) break;
    end++;
  }
  return [start, Math.min(end, text.length)];
}

/** What the caret is in: a key (or word) being typed, or the value after `key<op>`; null for a quoted word. */
export function completionContext(text: string, caret: number): CompletionContext | null {
  let [start, end] = wordAround(text, caret);
  if (text[start] === "-") start++;
  const word = text.slice(start, end);
  const op = OPERATOR.exec(word);
  if (op !== null && start + op.index < caret) {
    const key = word.slice(0, op.index);
    if (key === "") return null;
    const valueStart = start + op.index + op[0].length;
    const quoted = text[valueStart] === '"';
    const prefix = text.slice(quoted ? valueStart + 1 : valueStart, caret);
    return { kind: "value", key, prefix, from: valueStart, to: end };
  }
  if (text[start] === '"') return null;
  const to = op === null ? end : start + op.index;
  const prefix = text.slice(start, caret);
  if (KEYWORDS.has(prefix.toLowerCase())) return null;
  return { kind: "key", prefix, from: start, to };
}

/** Up to `limit` of `candidates` for `prefix`: those starting with it first, then those containing it (ignoring case). */
export function matchSuggestions(prefix: string, candidates: readonly string[], limit = 8): string[] {
  const lower = prefix.toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (seen.has(candidate)) continue;
    seen.add(candidate);
    const at = candidate.toLowerCase().indexOf(lower);
    if (at === 0) starts.push(candidate);
    else if (at > 0) contains.push(candidate);
  }
  return [...starts, ...contains].filter((c) => c !== prefix).slice(0, limit);
}

/** A value as the query language reads it back: quoted (with escapes) when it holds a space, a quote, `(`, `)` or `|`. */
export function quoteValue(value: string): string {
  if (value !== "" && !/[\s()|"\\]/.test(value)) return value;
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The text and caret once `choice` replaces the word in `context`. */
export function applyCompletion(
  text: string,
  context: CompletionContext,
  choice: string,
): { text: string; caret: number } {
  const insert = context.kind === "key" ? `${choice}${choice === "duration" ? ">" : "="}` : quoteValue(choice);
  const after = text.slice(context.to);
  const spacer = context.kind === "value" && !/^\s/.test(after) ? " " : "";
  const next = text.slice(0, context.from) + insert + spacer + after;
  return { text: next, caret: context.from + insert.length + spacer.length };
}
