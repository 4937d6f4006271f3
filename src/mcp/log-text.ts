/**
 * Log records as text: one line each for get_logs, its body cut short with a note saying how to read
 * the rest; and one record whole (get_logs with an id), its body in parts of a size an answer can carry.
 */

import { isBytesKey, pathText, placesInside } from "../domain/bytes-places.js";
import { multiLineText, oneLineText } from "../domain/control-text.js";
import { count, plural } from "../domain/count-text.js";
import { severityLevelText, severityShown } from "../domain/log.js";
import { eventNameOf } from "../domain/log-event.js";
import type { Attributes, BytesPlace, LogRecordJson, ValueStep } from "../protocol.js";
import { cut, cutLine, formatTime, MAX_ANSWER_CHARS, valueText } from "./format.js";
import { ToolInputError } from "./rest.js";

/** How much of a body a get_logs line shows. */
export const LINE_BODY_CHARS = 300;
/** The most of a body one answer on one record shows; the rest is asked for with `offset`. */
export const BODY_PART_CHARS = 16_000;
/** The most of one attribute value an answer on one record shows. */
export const ATTRIBUTE_VALUE_CHARS = 1_000;

/**
 * A body as an answer on one record shows it whole: a string as sent, structured bodies as indented
 * JSON; "" when none. Its line breaks and tabs are kept, its other control characters are not (as `tail`).
 * In JSON, LS and PS (left raw in its strings) are escaped first, so they stay inside their string as
 * \u2028 and \u2029 instead of becoming line breaks that leave it no longer JSON.
 */
function bodyText(log: LogRecordJson): string {
  if (log.body === null) return "";
  if (typeof log.body !== "object") return multiLineText(String(log.body));
  return multiLineText(
    JSON.stringify(log.body, null, 2).replaceAll("\u2028", "\\u2028").replaceAll("\u2029", "\\u2029"),
  );
}

/**
 * A record's severity as the Logs page's badge says it (the sender's `NOTICE`, else `INFO2`), with the level
 * after a text that does not name it (`NOTICE (INFO4)`): the level is what the severity filter goes by.
 */
function severityWord(log: LogRecordJson): string {
  const shown = cut(severityShown(log), 16) || "UNSPECIFIED";
  if (log.severityText.trim() === "") return shown;
  const level = log.severity === "UNSPECIFIED" ? "no level" : severityLevelText(log);
  const upper = log.severityText.trim().toUpperCase();
  return upper === log.severity || upper === level ? shown : `${shown} (${level})`;
}

/** What a record's severity is, said whole: `"NOTICE" as sent, level INFO4, severity number 12`. */
function severityDetail(log: LogRecordJson): string {
  const said = log.severityText.trim() === "" ? "" : `"${cut(log.severityText, 40)}" as sent, `;
  const level = log.severity === "UNSPECIFIED" ? "no level" : `level ${severityLevelText(log)}`;
  return `${said}${level}, severity number ${log.severityNumber}`;
}

/**
 * One get_logs line: time, severity, service, the body on one line (cut, saying how to read it all),
 * trace, span, id. Control characters (an ESC sequence, a bidi override) never pass, as in `tail`.
 */
export function logLine(log: LogRecordJson): string {
  const where = log.traceId === null ? "" : `  trace=${log.traceId}${log.spanId ? ` span=${log.spanId}` : ""}`;
  const whole = oneLineText(log.body === null ? (eventNameOf(log) ?? "") : valueText(log.body));
  const shown = cutLine(whole, LINE_BODY_CHARS);
  const body = shown.cut
    ? `${shown.line} [body cut: ${count(bodyText(log).length)} characters; get_logs id=${log.id} gives it whole]`
    : shown.line;
  return `${formatTime(log.timeUnixNano)}  ${oneLineText(severityWord(log)).padEnd(5)}  [${cut(oneLineText(log.service), 40)}]  ${body}${where}  id=${log.id}`;
}

/** `places`: where the values sent as bytes are (the key itself, or paths inside its value). */
export function attributeLines(attributes: Attributes, places?: readonly BytesPlace[]): string[] {
  return Object.entries(attributes).map(([key, value]) => {
    const shown = cut(valueText(value), ATTRIBUTE_VALUE_CHARS);
    return `  ${key} = ${shown}${bytesSaid(isBytesKey(places, key), placesInside(places, key))}`;
  });
}

/** " (base64 of bytes)" for a value sent as bytes, " (base64 of bytes at [1].id)" for values inside it; else "". */
function bytesSaid(itself: boolean, inside: readonly (readonly ValueStep[])[]): string {
  if (itself) return " (base64 of bytes)";
  if (inside.length === 0) return "";
  return ` (base64 of bytes at ${inside.map(pathText).join(", ")})`;
}

/**
 * One record whole (get_logs with an id): where and when, attributes, resource, scope, then the body from
 * `offset` (characters), as much as fits one answer, and how to ask for the next part.
 */
export function logRecordText(log: LogRecordJson, offset = 0): string {
  const head = [
    `log record ${log.id}: ${formatTime(log.timeUnixNano)}  ${severityWord(log)}  [${log.service}]`,
    `severity: ${severityDetail(log)}`,
  ];
  if (log.traceId !== null) head.push(`trace=${log.traceId}${log.spanId ? ` span=${log.spanId}` : ""}`);
  const event = eventNameOf(log);
  if (event !== undefined) head.push(`event: ${cut(event, 200)}`);
  const attributes = Object.keys(log.attributes).length;
  head.push(attributes === 0 ? "attributes: none" : `attributes (${attributes}):`);
  head.push(...attributeLines(log.attributes, log.bytes?.attributes));
  if (log.droppedAttributesCount) {
    head.push(
      `  (${count(log.droppedAttributesCount)} dropped: attributes by the sender or past the 1,000 this server keeps, and entries this server cut from attribute values)`,
    );
  }
  head.push("resource:", ...attributeLines(log.resource, log.bytes?.resource));
  head.push(`scope: ${log.scope.name || "(none)"}${log.scope.version ? ` ${log.scope.version}` : ""}`);

  const body = bodyText(log);
  if (log.body === null) return [...head.map(oneLineText), "body: none"].join("\n");
  if (offset > 0 && offset >= body.length) {
    throw new ToolInputError(`offset ${offset} is past the end of the body (${count(body.length)} characters)`);
  }
  const bytes = log.bytes?.body;
  const inside = bytes === undefined || bytes === true ? [] : bytes;
  // A body the server cut past its bounds says so: what is shown is not all that was sent.
  const dropped = log.droppedBodyEntries
    ? `; cut by this server: ${plural(log.droppedBodyEntries, "entry", "entries")} past the 1,000 entries, 10,000 values or 32 levels it keeps`
    : "";
  let kind = bytes === true ? "base64 of bytes" : typeof log.body === "object" ? "structured, as JSON" : "text";
  if (inside.length > 0) kind += `; base64 of bytes at ${inside.map(pathText).join(", ")}`;
  // The body gets what the rest of the answer leaves, so the note on the next part is never cut off.
  const room = Math.min(BODY_PART_CHARS, Math.max(1_000, MAX_ANSWER_CHARS - head.join("\n").length - 400));
  let end = Math.min(body.length, offset + room);
  // Never split a character written as two UTF-16 units.
  if (end < body.length && /[\uD800-\uDBFF]/.test(body.charAt(end - 1))) end--;
  const part = body.slice(offset, end);
  const whole = offset === 0 && end === body.length;
  const lines = [
    // What the sender wrote in them (attribute values, a scope's name) never passes control characters.
    ...head.map(oneLineText),
    whole
      ? `body (${kind}, ${count(body.length)} characters${dropped}):`
      : `body (${kind}), characters ${count(offset)} to ${count(end)} of ${count(body.length)}${dropped}:`,
    part,
  ];
  if (end < body.length) {
    lines.push(`[body continues: get_logs id=${log.id} offset=${end} gives the next part]`);
  }
  return lines.join("\n");
}
