/** Compact text for a model's context: times, cut strings, aligned tables (durations: domain/duration-text.ts, as the web app writes them). */
import { count } from "../domain/count-text.js";
import { type LlmCostCounts, llmCostText } from "../domain/llm-cost-text.js";
import { formatUsd } from "../domain/usd-text.js";

/** The most characters one tool answer carries; past it the text is cut with a note. */
export const MAX_ANSWER_CHARS = 24_000;

/** A nanosecond time (decimal string) as ISO 8601 UTC with milliseconds. */
export function formatTime(unixNano: string): string {
  const ms = Number(BigInt(unixNano) / 1_000_000n);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : unixNano;
}

/** One line, at most `max` characters (whitespace runs collapsed; an ellipsis marks a cut). */
export function cut(text: string, max: number): string {
  return cutLine(text, max).line;
}

/** `cut`'s line, and whether it was cut: what a caller that notes a cut needs. */
export function cutLine(text: string, max: number): { line: string; cut: boolean } {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= max ? { line, cut: false } : { line: `${line.slice(0, Math.max(0, max - 1))}…`, cut: true };
}

/** A value of an attribute as short text (objects and arrays as JSON). */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Rows under a header, columns padded to their widest cell (the last column is not padded). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** The text cut to MAX_ANSWER_CHARS at a line end, with a note on how to get the rest. */
export function capAnswer(text: string, howToGetMore: string): string {
  if (text.length <= MAX_ANSWER_CHARS) return text;
  const end = text.lastIndexOf("\n", MAX_ANSWER_CHARS);
  const kept = text.slice(0, end > 0 ? end : MAX_ANSWER_CHARS);
  return `${kept}\n[answer cut at ${MAX_ANSWER_CHARS} characters; ${howToGetMore}]`;
}

const RELATIVE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A time the tools accept (`10m`, `2h`, `1d` ago; an ISO 8601 date or time; unix milliseconds) as
 * unix milliseconds, or an Error saying what is accepted.
 */
export function parseSince(value: string, now: number): number | Error {
  const text = value.trim();
  const relative = RELATIVE.exec(text);
  if (relative) return Math.max(0, Math.round(now - Number(relative[1]) * (UNIT_MS[relative[2]!.toLowerCase()] ?? 0)));
  if (/^\d{10,15}$/.test(text)) return Number(text);
  const parsed = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && Number.isFinite(parsed)) return parsed;
  return new Error(
    `since "${cut(value, 40)}" is not a time: use a duration ago (30s, 10m, 2h, 1d), an ISO 8601 time, or unix milliseconds`,
  );
}

/**
 * What a group of LLM calls cost, each call of unknown cost named once (domain/llm-cost-text.ts, as the
 * web app): "$0.0021 + 2 unpriced + 1 without usage", "no price", "not reported".
 */
export function groupCost(group: LlmCostCounts): string {
  return llmCostText(group, {
    usd: formatUsd,
    unpriced: (calls) => `${count(calls)} unpriced`,
    withoutUsage: (calls) => `${count(calls)} without usage`,
  });
}
