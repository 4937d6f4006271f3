/**
 * The search a value in a span's or a log record's details opens: `key="value"` in the query language
 * (src/domain/query.ts), on the trace list for a span and on the Logs page for a log record. Pure, so
 * that every term it writes is tested to parse back to the same key and value.
 */
import { quoteQueryValue } from "../../../../src/domain/operation";
import { ATTRIBUTE_KEY, INTRINSIC_FIELDS, JAEGER_TAG_KEYS, LEVEL_KEYS } from "../../../../src/domain/query";
import type { AttrValue } from "../../../../src/protocol";

/** Longer keys and values are not offered: a search for a whole SQL statement or payload is no search. */
const MAX_SEARCHED_TEXT = 200;

/**
 * Whether the key as it is reads as this attribute's key: a word (no space, parenthesis, quote, `|`,
 * colon or operator; not starting with `-`, which negates, or `@`, Datadog's marker), and not a span
 * field such as `status` or `name`; on spans, nor one of Jaeger's tags the language reads as the
 * span's status or kind (`error=false` would find nearly every trace); on logs, nor the level or body.
 */
function readsAsAttributeKey(key: string, subject: "spans" | "logs"): boolean {
  if (/^[-@]/.test(key) || /[\s()|"=!<>~:]/.test(key)) return false;
  const field = key.toLowerCase();
  if ((INTRINSIC_FIELDS as readonly string[]).includes(field)) return false;
  if (subject === "spans") return !JAEGER_TAG_KEYS.has(field);
  return !(LEVEL_KEYS.has(field) || field === "body");
}

/**
 * The key as a query writes the attribute of that name: as it is where that reads so; else marked
 * `@status`, which is always the attribute (a log record's `status`, a span's `error` tag); else
 * quoted (`"my key"`, `"@timestamp"`), which is too.
 */
function queryKeyOf(key: string, subject: "spans" | "logs"): string | null {
  if (key === "" || key.length > MAX_SEARCHED_TEXT) return null;
  if (readsAsAttributeKey(key, subject)) return key;
  return ATTRIBUTE_KEY.test(key) ? `@${key}` : quoteQueryValue(key);
}

/** `key=value` for an attribute, or null when it cannot be searched for (a list, a map, bytes, a long value). */
export function attributeSearchTerm(
  key: string,
  value: AttrValue,
  subject: "spans" | "logs",
  bytes = false,
): string | null {
  const written = bytes ? null : queryKeyOf(key, subject);
  if (written === null) return null;
  if (typeof value === "number") return Number.isFinite(value) ? `${written}=${value}` : null;
  if (typeof value === "boolean") return `${written}=${value}`;
  if (typeof value !== "string" || value.length > MAX_SEARCHED_TEXT) return null;
  return `${written}=${quoteQueryValue(value)}`;
}

/** The trace list (spans) or the Logs page (log records) searching for `term`. */
export function searchHref(term: string, subject: "spans" | "logs"): string {
  return `${subject === "spans" ? "/" : "/logs"}?${new URLSearchParams({ q: term }).toString()}`;
}
