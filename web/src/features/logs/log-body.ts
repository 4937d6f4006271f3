/**
 * How a log body reads: one line in a list row, in full (pretty) in the details. Bodies are text or
 * any OTLP AnyValue (a map, a list, a number…); they are only ever shown as text. Pure.
 */
import type { AttrValue } from "../../../../src/protocol";
import { formatCount } from "../../lib/format";
import { indentJson } from "../../lib/json-indent";

/** A row never needs more characters than this; the rest is cut by CSS anyway. */
export const ROW_BODY_CHARS = 300;

/** Line breaks inside a one-line body show as this mark, so a stack trace reads as one. */
export const NEWLINE_MARK = " ⏎ ";

function isStructured(body: AttrValue): boolean {
  return body !== null && typeof body === "object";
}

/** Compact JSON of a structured value (arrays and maps), as sent. */
export function compactJson(value: AttrValue): string {
  return JSON.stringify(value) ?? "";
}

/**
 * A body on one line: text with its line breaks marked and runs of blanks squeezed, structured
 * bodies as compact JSON; "" for no body. At most `max` characters (then "…").
 */
export function bodyLine(body: AttrValue | null, max = ROW_BODY_CHARS): string {
  if (body === null) return "";
  const text =
    typeof body === "string"
      ? body
          .slice(0, max * 4)
          .trim()
          .replace(/[ \t]*\r?\n\s*/g, NEWLINE_MARK)
          .replace(/[ \t]{2,}/g, " ")
      : isStructured(body)
        ? compactJson(body)
        : String(body);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export type BodyView =
  | { kind: "empty" }
  /** Text as sent (line breaks kept). */
  | { kind: "text"; text: string }
  /** Structured, or a string that holds a JSON object or array: indented JSON. */
  | { kind: "json"; text: string; fromString: boolean }
  /** A number or boolean body. */
  | { kind: "scalar"; text: string };

/** How the details show a body in full. */
export function bodyView(body: AttrValue | null): BodyView {
  if (body === null) return { kind: "empty" };
  if (typeof body === "string") {
    // A string that is a JSON object or array (many loggers write those), indented as written.
    const indented = indentJson(body);
    if (indented !== null) return { kind: "json", text: indented, fromString: true };
    return { kind: "text", text: body };
  }
  if (isStructured(body)) return { kind: "json", text: JSON.stringify(body, null, 2), fromString: false };
  return { kind: "scalar", text: String(body) };
}

export interface CutText {
  shown: string;
  /** True when part of the text is left out until "show all". */
  cut: boolean;
  totalChars: number;
  totalLines: number;
}

/** The start of a long text: at most `maxLines` lines and `maxChars` characters. */
export function cutText(text: string, maxChars: number, maxLines: number): CutText {
  let lines = 1;
  let end = text.length;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 10) continue;
    if (lines === maxLines && end === text.length) end = i;
    lines++;
  }
  end = Math.min(end, maxChars);
  return { shown: text.slice(0, end), cut: end < text.length, totalChars: text.length, totalLines: lines };
}

/** What "show all" says of a cut text: its size, in lines only when it has more than one. */
export function showAllLabel(cut: Pick<CutText, "totalChars" | "totalLines">): string {
  const chars = `${formatCount(cut.totalChars)} chars`;
  return cut.totalLines > 1 ? `show all (${formatCount(cut.totalLines)} lines, ${chars})` : `show all (${chars})`;
}

/** Past this many lines a JSON body wraps as plain text: one element per line would cost too much. */
export const MAX_INDENTED_LINES = 5_000;

/**
 * Indented JSON's lines with the width of their indentation (leading blanks kept in `text`), for a
 * view that wraps each under its own indentation; null past `max` lines.
 */
export function indentedLines(text: string, max = MAX_INDENTED_LINES): { indent: number; text: string }[] | null {
  const lines = text.split("\n");
  if (lines.length > max) return null;
  return lines.map((line) => ({ indent: line.length - line.trimStart().length, text: line }));
}

/**
 * What a record's details say of its dropped attributes count (OTLP's `dropped_attributes_count`): the
 * SDK's, plus what this server left out, attributes past the 1,000 it keeps of one record
 * (MAX_ATTRIBUTES_PER_LIST, otlp/limits.ts) and the entries it cut from attribute values (a list or map
 * value past its bounds): one attribute holding 5,000 items counts 4,000, not 4,000 attributes.
 */
export function droppedAttributesText(count: number): string {
  return `${formatCount(count)} dropped: attributes the SDK dropped or past the 1,000 this server keeps of a record, and entries this server cut from attribute values (lists, maps); the table shows what was kept.`;
}

/**
 * What a record's details say of a body this server cut (LogRecord.droppedBodyEntries): the entries it
 * left out past its bounds on one value (MAX_ENTRIES_PER_VALUE, MAX_VALUES_PER_ITEM, MAX_VALUE_DEPTH
 * in otlp/), which the body shown does not hold.
 */
export function droppedBodyText(count: number): string {
  const what = count === 1 ? "1 entry" : `${formatCount(count)} entries`;
  return `Cut by this server: ${what} (list items, map entries) left out, past the 1,000 entries, 10,000 values or 32 levels of nesting it keeps of a body.`;
}

/**
 * A record's `flags` as read: its low byte is the W3C trace flags of the span it was written in,
 * whose bit 0 says the trace was sampled ("1 · sampled"); other bits are shown in hex.
 */
export function logFlagsText(flags: number): string {
  const sampled = (flags & 1) === 1;
  const rest = flags & ~1;
  const parts = [String(flags)];
  if (sampled) parts.push("sampled");
  if (rest !== 0) parts.push(`other bits 0x${(rest >>> 0).toString(16)}`);
  return parts.join(" · ");
}
