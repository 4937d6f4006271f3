/**
 * What the Errors page groups: each exception a span recorded (an `exception` event, or `exception.*`
 * attributes on a failing span), and each failing span that recorded none. Occurrences of the same
 * problem share a fingerprint: service, exception type (else the status code), the message with its
 * variable parts (numbers, ids, quoted values, emails, URLs) replaced, and the innermost frames of the
 * stack (file and function, no line numbers).
 */

import { exceptionFields, failureOf } from "./failure.js";
import { type Attributes, type Span, stringAttribute } from "./span.js";
import { traceNameOf } from "./trace-name.js";

/** One error as the Errors page counts it. */
export interface ErrorOccurrence {
  /** The grouping key: equal for occurrences of the same problem. */
  fingerprint: string;
  service: string;
  /** An exception that was recorded, or a failing span that recorded none. */
  kind: "exception" | "status";
  /** The exception's type, else `HTTP 503` / `gRPC 14` / the span's `error.type`, else `error`. */
  type: string;
  /** The message with its variable parts replaced (see `normalizeMessage`). */
  pattern: string;
  /** The innermost frames that grouped it, `file:function`, innermost first. */
  frames: string[];
  /** The message as it was. */
  message: string;
  /** The stack trace as it was, or "" when none was recorded. */
  stacktrace: string;
  timeUnixNano: bigint;
  traceId: string;
  spanId: string;
}

/** Frames of the stack that take part in the fingerprint. */
export const FINGERPRINT_FRAMES = 3;
/** Longest normalized message kept in a fingerprint. */
const MAX_PATTERN = 300;
/** Longest part of a message looked at (the patterns only need the start; bounded work per span). */
const MAX_MESSAGE_READ = 2_000;

/**
 * Every error in `span`, in event order: one per `exception` event, else one for exception attributes
 * on the span itself or, when it failed (status ERROR), one for the failure.
 */
export function errorOccurrencesOf(span: Span): ErrorOccurrence[] {
  const out: ErrorOccurrence[] = [];
  for (const event of span.events) {
    if (event.name !== "exception") continue;
    const fields = exceptionFields(event.attributes);
    if (fields === null) continue;
    // Some SDKs leave the event's time at zero; the span's end is when it failed.
    const time = event.timeUnixNano > 0n ? event.timeUnixNano : span.endTimeUnixNano;
    out.push(exceptionOccurrence(span, fields.type, fields.message, fields.stacktrace, time));
  }
  if (out.length > 1) return onePerException(out);
  if (out.length > 0 || span.status.code !== "ERROR") return out;
  const own = exceptionFields(span.attributes);
  if (own !== null) {
    out.push(exceptionOccurrence(span, own.type, own.message, own.stacktrace, span.endTimeUnixNano));
    return out;
  }
  // failureOf is the one rule for what a failing span says; here only its status message is left.
  const message = failureOf(span)?.message ?? "";
  const type = statusType(span);
  // Without an exception, what failed is told by the operation as much as by the message. A span named
  // by its HTTP method alone is read as the trace list reads it (`GET /fail`): the instrumentation's
  // span and the framework's span of one failed request then say, and group, the same.
  const name = traceNameOf(span.name, span.attributes);
  const pattern = normalizeMessage(message || `${name} failed`);
  out.push({
    fingerprint: [span.service, "status", type, normalizeMessage(name), pattern].join("\u0000"),
    service: span.service,
    kind: "status",
    type,
    pattern,
    frames: [],
    message: message || `${name} failed`,
    stacktrace: "",
    timeUnixNano: span.endTimeUnixNano,
    traceId: span.traceId,
    spanId: span.spanId,
  });
  return out;
}

/** Two tellings of one exception are recorded back to back: within this of each other (nanoseconds). */
const RETOLD_WITHIN_NS = 1_000_000n;

/**
 * One occurrence per exception of a span. The TraceKit Node SDK records each exception twice, back to
 * back: as an event of its own with the stack reformatted for its backend, then through OpenTelemetry's
 * recordException. Events with the same type and message, recorded within a millisecond of each other
 * with different stacks, are that one exception: the telling whose stack gives the most frames is kept
 * (on a tie, the later). The same exception recorded again later (a retry) counts again.
 */
function onePerException(occurrences: ErrorOccurrence[]): ErrorOccurrence[] {
  const dropped = new Set<ErrorOccurrence>();
  for (let i = 1; i < occurrences.length; i++) {
    const later = occurrences[i] as ErrorOccurrence;
    const earlier = occurrences[i - 1] as ErrorOccurrence;
    if (dropped.has(earlier) || earlier.type !== later.type || earlier.message !== later.message) continue;
    const apart = later.timeUnixNano - earlier.timeUnixNano;
    if (apart > RETOLD_WITHIN_NS || apart < -RETOLD_WITHIN_NS || earlier.stacktrace === later.stacktrace) continue;
    dropped.add(later.frames.length >= earlier.frames.length ? earlier : later);
  }
  return dropped.size === 0 ? occurrences : occurrences.filter((occurrence) => !dropped.has(occurrence));
}

function exceptionOccurrence(
  span: Span,
  rawType: string,
  message: string,
  stacktrace: string,
  time: bigint,
): ErrorOccurrence {
  const type = rawType || "Error";
  const pattern = normalizeMessage(message);
  const frames = topFrames(stacktrace);
  return {
    fingerprint: [span.service, "exception", type, pattern, ...frames].join("\u0000"),
    service: span.service,
    kind: "exception",
    type,
    pattern,
    frames,
    message,
    stacktrace,
    timeUnixNano: time,
    traceId: span.traceId,
    spanId: span.spanId,
  };
}

/** A failing span's kind of failure when no exception names it. */
export function statusType(span: { attributes: Attributes }): string {
  return failureNameOf(span.attributes) ?? "error";
}

/** What a failing span's attributes name: its failed answer (`HTTP 503`, `gRPC 14`), else `error.type`; else null. */
export function failureNameOf(attributes: Attributes): string | null {
  return failedResponseOf(attributes) ?? stringAttribute(attributes, "error.type") ?? null;
}

/** The failed answer a span records: `HTTP 503` (a status from 400 to 599), `gRPC 14` (not OK); else null. */
export function failedResponseOf(attributes: Attributes): string | null {
  const http = attributes["http.response.status_code"] ?? attributes["http.status_code"];
  const code = typeof http === "string" ? Number(http) : http;
  if (typeof code === "number" && code >= 400 && code <= 599) return `HTTP ${code}`;
  const grpc = attributes["rpc.grpc.status_code"];
  if (typeof grpc === "number" && grpc > 0) return `gRPC ${grpc}`;
  return null;
}

const URL_PATTERN = /\b[a-z][a-z0-9+.-]{0,20}:\/\/[^\s"'<>()]+/gi;
// Starts only where a run of such characters starts, so a long run costs one pass, not one per character.
const EMAIL_PATTERN = /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const QUOTED_PATTERN = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
const UUID_PATTERN = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
/** `0x…`, or 4+ hex digits with both a digit and a letter among them (words like "deadbeef" stay). */
const HEX_PATTERN = /\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{4,}\b/gi;
/** An IPv4 address (before numbers, which would read its parts one by one as `<n>.<n>`); a full stop may end the sentence after it. */
const IP_PATTERN = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\w)/g;
/**
 * An id after a short prefix it is named by (`cus_NffrFeUfNV2Hib`, `req_01HZX3K9QY8M2V`, `ORD-7XK2P9`):
 * letters and digits, ten or more with both among them, or six or more with digits in two places
 * (`7XK2P9`); not a word with a number at its end (`Sha256`, `primary1`), nor digits alone (`ORD-10000`
 * is `ORD-<n>`, as `ORD-9999`). The prefix stays: it says what the id is of.
 */
const PREFIXED_ID_PATTERN =
  /\b([A-Za-z]{1,12}[_-])(?:(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{10,}|(?=[A-Za-z0-9]*\d[A-Za-z]+\d)[A-Za-z0-9]{6,9})\b/g;
/** A ULID standing alone (26 of Crockford's base-32 capitals and digits, `01HZX3K9QY8M2VDE4RWQ7NCF5A`). */
const ALPHANUMERIC_ID_PATTERN = /\b(?=[0-9A-Z]*\d)(?=[0-9A-Z]*[A-Z])[0-9A-HJKMNP-TV-Z]{26}\b/g;
/** A number not glued to a word before it (`user42` and `utf8` stay; `5000ms` and `id=7` do not). */
const NUMBER_PATTERN = /(?<![\w<])\d+(?:\.\d+)?/g;

/**
 * Whether the quoted text at [start, end) is a key of a JSON object (or a Python dict) written in the
 * message: after `{` or `,` and before `:`. Keys name the fields, which do not vary; only the values do.
 */
function isObjectKey(text: string, start: number, end: number): boolean {
  let before = start - 1;
  while (before >= 0 && /\s/.test(text[before] as string)) before--;
  if (text[before] !== "{" && text[before] !== ",") return false;
  let after = end;
  while (after < text.length && /\s/.test(text[after] as string)) after++;
  return text[after] === ":";
}

/**
 * The message with what varies between occurrences replaced: URLs, emails, quoted values (not the
 * keys of a JSON object in it), UUIDs, IP addresses, hex ids, prefixed and random ids, and numbers, in
 * that order (a URL's digits are part of the URL); whitespace collapsed.
 */
export function normalizeMessage(message: string): string {
  if (message.length > MAX_MESSAGE_READ) return normalizeMessageText(message);
  let normalized = recentlyNormalized.get(message);
  if (normalized === undefined) {
    normalized = normalizeMessageText(message);
    // The same failure is reported by span after span: its message is normalized once while it recurs.
    if (recentlyNormalized.size >= MAX_RECENTLY_NORMALIZED) recentlyNormalized.clear();
    recentlyNormalized.set(message, normalized);
  }
  return normalized;
}

/** Messages (up to MAX_MESSAGE_READ characters) normalized lately, and their patterns; emptied when full. */
const recentlyNormalized = new Map<string, string>();
const MAX_RECENTLY_NORMALIZED = 1024;

function normalizeMessageText(message: string): string {
  return message
    .slice(0, MAX_MESSAGE_READ)
    .replace(URL_PATTERN, "<url>")
    .replace(EMAIL_PATTERN, "<email>")
    .replace(QUOTED_PATTERN, (quoted, at: number, text: string) =>
      isObjectKey(text, at, at + quoted.length) ? quoted : `${quoted[0]}<value>${quoted[0]}`,
    )
    .replace(UUID_PATTERN, "<uuid>")
    .replace(IP_PATTERN, "<ip>")
    .replace(HEX_PATTERN, "<hex>")
    .replace(PREFIXED_ID_PATTERN, "$1<id>")
    .replace(ALPHANUMERIC_ID_PATTERN, "<id>")
    .replace(NUMBER_PATTERN, "<n>")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, MAX_PATTERN);
}

/** One frame of a stack trace: where (a file, or "" when the format says none) and which function. */
export interface StackFrame {
  file: string;
  function: string;
  /** The runtime's or a dependency's code rather than the application's own. */
  library: boolean;
}

/** Lines of a stack trace read, and the longest line taken for a frame. */
const MAX_STACK_LINES = 200;
const MAX_FRAME_LINE = 300;

// .NET: `at Ns.Type.Method(Int32 id) in /src/File.cs:line 42`
const DOTNET_FRAME = /^\s*at\s+([^()\s]+)\([^()]*\)\s+in\s+(.+?)(?::line\s+\d+)?\s*$/;
// Java / Kotlin: `at com.acme.Foo.bar(Foo.java:42)`, `(Native Method)`, `(Unknown Source)`
const JAVA_FRAME =
  /^\s*at\s+([\w$.<>/-]+)\(([\w$.-]+?)(?::\d+)?\)\s*$|^\s*at\s+([\w$.<>/-]+)\((?:Native Method|Unknown Source)\)\s*$/;
// V8: `at fn (file:line:col)`, `at async fn (…)`, `at file:line:col`
const JS_FRAME = /^\s*at\s+(?:async\s+)?(?:([^()]+?)\s+\(([^()]+)\)|([^\s()]+))\s*$/;
// V8's place of a Promise combinator's frame (`at async Promise.all (index 0)`): the failed promise's position.
const PROMISE_INDEX = /^index \d+$/;
// .NET without a file (no symbols): `at Ns.Type.Method(String s)`
const DOTNET_BARE_FRAME = /^\s*at\s+([\w$.`<>+[\],]+)\([^()]*\)\s*$/;
// Python: `File "/app/views.py", line 42, in handler`
const PYTHON_FRAME = /^\s*File\s+"(.+?)",\s+line\s+\d+(?:,\s+in\s+(.+?))?\s*$/;
// The TraceKit SDKs' own stack format (Node, PHP): `handler at /app/routes.js:56`, or `/app/routes.js:56`.
const TRACEKIT_FRAME = /^\s*(?:([^\s()]+)\s+at\s+)?(\/[^\s()]+|[A-Za-z]:\\[^\s()]+):\d+\s*$/;
// Go: a function line, then its `\t/path/file.go:42 +0x1d` line.
const GO_LOCATION = /^\s+(\S+\.go):\d+(?:\s+\+0x[0-9a-f]+)?\s*$/;

/** Drops a location's line and column numbers and its directories. */
function fileName(location: string): string {
  const bare = location.replace(/(?::\d+)+$/, "").replace(/[?#].*$/, "");
  const slash = Math.max(bare.lastIndexOf("/"), bare.lastIndexOf("\\"));
  return slash >= 0 ? bare.slice(slash + 1) : bare;
}

/**
 * The frames of a stack trace, innermost first, for the formats of Python, JavaScript (V8), Java,
 * Go and .NET. Of chained exceptions, the frames of the one the trace is about: Python's last
 * traceback, Java's first block (before `Caused by:`).
 */
export function parseStackFrames(stacktrace: string): StackFrame[] {
  let lines = stacktrace.split(/\r?\n/);
  // Bounded work per error: Python's innermost frames are last, the others' first.
  if (lines.length > MAX_STACK_LINES) {
    lines = /Traceback \(most recent call last\)/.test(stacktrace)
      ? ["Traceback (most recent call last):", ...lines.slice(-MAX_STACK_LINES)]
      : lines.slice(0, MAX_STACK_LINES);
  }
  let frames: StackFrame[] = [];
  let python = false;
  let previous = "";
  for (const line of lines) {
    if (/^\s*Traceback \(most recent call last\):/.test(line)) {
      python = true;
      frames = [];
      continue;
    }
    if (/^\s*Caused by:/.test(line) && frames.length > 0) break;
    const frame = line.length > MAX_FRAME_LINE ? null : parseFrameLine(line, previous);
    if (frame !== null) frames.push({ ...frame, library: isLibraryFrame(frame, line) });
    if (line.trim() !== "") previous = line;
  }
  if (python || frames.some((f) => /\.py$/.test(f.file))) frames.reverse();
  return frames;
}

function parseFrameLine(line: string, previous: string): Omit<StackFrame, "library"> | null {
  let m = PYTHON_FRAME.exec(line);
  if (m) return { file: fileName(m[1] as string), function: m[2] ?? "" };
  m = DOTNET_FRAME.exec(line);
  if (m) return { file: fileName(m[2] as string), function: m[1] as string };
  m = JAVA_FRAME.exec(line);
  if (m) return { file: m[2] ?? "", function: (m[1] ?? m[3]) as string };
  m = JS_FRAME.exec(line);
  if (m) {
    if (m[3] !== undefined) return { file: fileName(m[3]), function: "" };
    // `at async Promise.all (index 2)`: the runtime's, and which promise failed is no file.
    if (PROMISE_INDEX.test(m[2] as string)) return { file: "", function: m[1] as string };
    return { file: fileName(m[2] as string), function: (m[1] as string).replace(/^new\s+/, "") };
  }
  m = DOTNET_BARE_FRAME.exec(line);
  if (m) return { file: "", function: m[1] as string };
  m = GO_LOCATION.exec(line);
  if (m) return { file: fileName(m[1] as string), function: previous.trim().replace(/\([^()]*\)$/, "") };
  m = TRACEKIT_FRAME.exec(line);
  if (m) return { file: fileName(m[2] as string), function: m[1] ?? "" };
  return null;
}

const LIBRARY_PATHS =
  /node_modules|^\s*at\s+(?:async\s+)?(?:.*\()?node:|internal\/|site-packages|dist-packages|\/lib\/python|<frozen |\/go\/src\/|\/usr\/lib\//;
const JS_PROMISE_FRAME = /^\s*at\s+(?:async\s+)?[^()]+?\s+\(index \d+\)\s*$/;
const LIBRARY_FUNCTIONS = /^(?:java|javax|jdk|sun|kotlin|scala|System|Microsoft|runtime|net\/http)\./;

/** A frame of the runtime or a dependency rather than the application's own code. */
function isLibraryFrame(frame: Omit<StackFrame, "library">, line: string): boolean {
  return (
    LIBRARY_PATHS.test(line) ||
    LIBRARY_FUNCTIONS.test(frame.function) ||
    frame.file === "<anonymous>" ||
    JS_PROMISE_FRAME.test(line)
  );
}

/**
 * Whether a stack trace's grouping frames (topFrames) are the runtime's or a library's: it has frames,
 * and none of the application's own code (`node:_http_client`, a `node_modules` file, `site-packages`).
 * Such a frame is where the error was thrown, not where the application went wrong, and is told so.
 */
export function groupedByLibraryFrames(stacktrace: string): boolean {
  if (stacktrace === "") return false;
  const frames = parseStackFrames(stacktrace);
  return frames.length > 0 && frames.every((frame) => frame.library);
}

/**
 * The innermost `FINGERPRINT_FRAMES` of the application's own frames (all frames when none is the
 * application's: see groupedByLibraryFrames), as `file:function`.
 */
export function topFrames(stacktrace: string): string[] {
  if (stacktrace === "") return [];
  const frames = parseStackFrames(stacktrace);
  const own = frames.filter((frame) => !frame.library);
  return (own.length > 0 ? own : frames).slice(0, FINGERPRINT_FRAMES).map((f) => `${f.file}:${f.function}`);
}

/**
 * A grouping frame (`file:function`, see topFrames) as read, the same on the Errors page and in MCP:
 * an anonymous function's frame (`app.js:`) is its file and "(anonymous)", a frame without a file
 * (.NET without symbols) its function alone.
 */
export function frameText(frame: string): string {
  if (frame.endsWith(":")) return `${frame.slice(0, -1)} (anonymous)`;
  return frame.startsWith(":") ? frame.slice(1) : frame;
}

/** A short stable id of a fingerprint (two 32-bit FNV-1a hashes), for URLs and keys. */
export function fingerprintId(fingerprint: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ fingerprint.length;
  for (let i = 0; i < fingerprint.length; i++) {
    const c = fingerprint.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
