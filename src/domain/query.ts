/**
 * The trace list's query language, parsed into a tree the stores evaluate span by span.
 *
 *   query   := or
 *   or      := and (("|" | "||" | "or") and)*
 *   and     := unary (["and" | "&&"] unary)*  juxtaposition is AND
 *   unary   := ("-" | "not") unary | primary
 *   primary := "(" or ")" | term
 *   term    := key op value | word | "quoted text"
 *   key     := word | "@" word | "quoted key"        `@key` and a quoted key are always an attribute
 *   op      := "=" | "!=" | ">" | "<" | ">=" | "<=" | "~"
 *
 * Precedence: NOT binds tightest, then AND, then OR (`a b | c` is `(a b) | c`). A trace matches when
 * one of its spans satisfies the whole query. See the README for what each term means.
 */

import { AppError } from "./errors.js";
import { severityFromText } from "./log.js";
import { characterNumber } from "./long-text.js";
import { ATTRIBUTE_ALIAS_GROUPS } from "./semconv-aliases.js";

export type CompareOp = "=" | "!=" | ">" | "<" | ">=" | "<=" | "~";

/** Fields every span has; any other key is an attribute (span, resource or event). */
export const INTRINSIC_FIELDS = ["service", "name", "operation", "peer", "status", "kind", "duration"] as const;
export type IntrinsicField = (typeof INTRINSIC_FIELDS)[number];

export const STATUS_VALUES = ["error", "ok", "unset"] as const;
export const KIND_VALUES = ["server", "client", "producer", "consumer", "internal", "unspecified"] as const;

export type QueryNode =
  | { type: "and"; items: QueryNode[] }
  | { type: "or"; items: QueryNode[] }
  | { type: "not"; item: QueryNode }
  /** Text in a span's name, status message or any attribute or event value (case-insensitive); an unquoted word also matches an attribute of exactly that key. */
  | { type: "text"; text: string; alsoKey: boolean }
  /** An attribute that is present (under this key or one of its aliases). */
  | { type: "exists"; key: string }
  /**
   * `attributeOnly`: written `@key` or `"key"`, the attribute of that name, never what the key names
   * otherwise (a log record's level, body or ids); the parser already reads no span field for it.
   */
  | { type: "attribute"; key: string; op: CompareOp; value: string; number: number | null; attributeOnly?: true }
  /**
   * `operation` is the name the Services page lists the span's operation under (domain/operation.ts
   * operationOf); `peer`, a node the span calls by the service map's rule (domain/trace-calls.ts).
   */
  | { type: "field"; field: "service" | "name" | "operation" | "peer"; op: "=" | "!=" | "~"; value: string }
  | { type: "status"; op: "=" | "!="; value: (typeof STATUS_VALUES)[number] }
  | { type: "kind"; op: "=" | "!="; value: (typeof KIND_VALUES)[number] }
  /** Span duration against `nanos`. */
  | { type: "duration"; op: Exclude<CompareOp, "~">; nanos: bigint }
  /** The name or version of the span's (or log record's) instrumentation scope (its tracer or logger): `otel.scope.name=`, see scopeTagNode. */
  | { type: "scope"; part: "name" | "version"; op: "=" | "~"; value: string };

/** A query that cannot be parsed: `position` is the 0-based character where the problem is. */
export class QueryError extends AppError {
  override name = "QueryError";
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(400, "bad_query", message, { position });
  }
}

type Token =
  | { kind: "lparen" | "rparen" | "or" | "and" | "not" | "minus"; pos: number }
  | { kind: "term"; pos: number; node: QueryNode };

const OPERATORS: readonly CompareOp[] = [">=", "<=", "!=", "=", ">", "<", "~"];
const STOP = new Set([" ", "\t", "\n", "\r", "(", ")", "|", '"']);
const OPERATOR_START = new Set(["=", "!", ">", "<", "~"]);
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r" };

/** Nanoseconds per duration unit; a bare number is milliseconds. */
const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  "": 1e6,
};

/** A duration such as `250ms`, `1.5s`, `2m` or `250` (milliseconds) in nanoseconds, or null. */
export function parseQueryDuration(text: string): bigint | null {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)?$/.exec(text.trim().toLowerCase());
  if (!match) return null;
  const nanos = Number(match[1]) * (DURATION_UNITS[match[2] ?? ""] as number);
  return Number.isFinite(nanos) ? BigInt(Math.round(nanos)) : null;
}

/**
 * The number a value means (`500`, `-1.5`, `1e3`), or null. An attribute's text is read the same way
 * when a query compares it with a number (store/span-query.ts), so both sides agree on what is one.
 */
export function numberOf(text: string): number | null {
  const n = Number(text);
  if (!Number.isFinite(n)) return null;
  // Number reads blank text as 0; only then is the text looked at again.
  return n === 0 && text.trim() === "" ? null : n;
}

/**
 * numberOf for an attribute's text, passing over at once text that cannot be a finite number by its
 * first character: most text is not numeric (`/api/orders`, `GET`), and the check is made for every
 * value a numeric query compares and every value a trace's filter takes.
 */
export function numberOfText(text: string): number | null {
  return mayStartNumber(text.charCodeAt(0)) ? numberOf(text) : null;
}

/**
 * Whether a finite number's text may start with this character: a digit, a sign, a point, or white
 * space (ASCII, or some beyond it). `Infinity` is not finite; `0x10` starts with a digit.
 */
function mayStartNumber(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x2d || code === 0x2b || code <= 0x20 || code >= 0x80
  );
}

function quoteForMessage(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

class Lexer {
  private pos = 0;
  constructor(
    private readonly source: string,
    private readonly subject: QuerySubject,
  ) {}

  tokens(): Token[] {
    const out: Token[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.source.length) return out;
      out.push(this.next());
    }
  }

  private skipSpace(): void {
    while (this.pos < this.source.length && /\s/.test(this.source[this.pos] as string)) this.pos++;
  }

  private next(): Token {
    const start = this.pos;
    const ch = this.source[start] as string;
    if (ch === "(") return this.single("lparen");
    if (ch === ")") return this.single("rparen");
    // `||` (as other tools and most languages write or) is `|`.
    if (ch === "|") {
      this.pos = this.source[start + 1] === "|" ? start + 2 : start + 1;
      return { kind: "or", pos: start };
    }
    if (ch === '"') return this.quotedTerm(start);
    if (this.atAnd()) {
      this.pos = start + 2;
      return { kind: "and", pos: start };
    }
    // "-word" negates; a lone "-" or "-5" is text.
    if (ch === "-" && this.pos + 1 < this.source.length) {
      const after = this.source[this.pos + 1] as string;
      if (!STOP.has(after) && !/\s/.test(after) && !/[0-9.]/.test(after)) return this.single("minus");
      if (after === "(" || after === '"') return this.single("minus");
    }
    const word = this.word();
    const colon = word.indexOf(":");
    const colonKey = colon > 0 ? colonKeyOf(word.slice(0, colon), this.subject) : undefined;
    // `url.full:http://x/?a=b`: after a key's colon the value runs to the next stop, operators and all.
    if (colonKey !== undefined && colon < word.length - 1) return this.colonTerm(colonKey, start, colon);
    // Spaces around the operator are allowed (`status = error`): a word and an operator after it compare.
    if (word !== "") this.pos = this.operatorAfterSpace(this.pos);
    if (this.pos < this.source.length && OPERATOR_START.has(this.source[this.pos] as string)) {
      const opPos = this.pos;
      const op = OPERATORS.find((candidate) => this.source.startsWith(candidate, opPos)) as CompareOp;
      this.pos += op.length;
      if (word === "") throw new QueryError(`expected an attribute key before "${op}"`, opPos);
      // `duration:>250ms` (Datadog's range) is `duration>250ms`, and so for any attribute-shaped key
      // (`retries:>3`): a key ending in a colon, which no attribute has, matched nothing without a word.
      const marked = markedAttributeKey(word);
      const key =
        marked ?? (word.endsWith(":") ? (colonKeyOf(word.slice(0, -1), this.subject) ?? rangeKeyOf(word)) : word);
      this.refuseOtherToolsOperator(key, op, opPos);
      return { kind: "term", pos: start, node: this.comparison(key, op, op, start, marked !== undefined) };
    }
    const lower = word.toLowerCase();
    if (lower === "or") return { kind: "or", pos: start };
    if (lower === "and") return { kind: "and", pos: start };
    if (lower === "not") return { kind: "not", pos: start };
    if (colonKey !== undefined && this.source[this.pos] === '"') return this.colonTerm(colonKey, start, colon);
    return { kind: "term", pos: start, node: { type: "text", text: word, alsoKey: true } };
  }

  /**
   * `service:checkout` (Datadog's, GitHub's and Lucene's form) is `service=checkout` for a key a query
   * reads (colonKeyOf); any other word with a colon (`localhost:3000`, `C:\tmp`, a pasted "Status: …")
   * stays text. In a log query `body:timeout` finds the text in the body, as a search for it would.
   */
  private colonTerm(key: string, start: number, colon: number): Token {
    this.pos = start + colon + 1;
    const quotedValue = this.source[this.pos] === '"';
    // `@status:500`: Datadog's marker of an attribute, the attribute of that name whatever the key.
    const attributeOnly = this.source[start] === "@";
    const op = this.subject === "logs" && !attributeOnly && key.toLowerCase() === BODY_KEY ? "~" : "=";
    try {
      return { kind: "term", pos: start, node: this.comparison(key, op, ":", start, attributeOnly) };
    } catch (error) {
      if (!(error instanceof QueryError) || quotedValue) throw error;
      throw new QueryError(
        `${error.message}; to search for the text, quote it: ${JSON.stringify(this.source.slice(start, this.pos))}`,
        error.position,
      );
    }
  }

  /**
   * The `key op value` term whose value starts at `pos` (after spaces); `written` is the operator as
   * typed. `attributeOnly` (`@key`, a quoted key): the attribute of that name, whatever else the key names.
   */
  private comparison(key: string, op: CompareOp, written: string, keyPos: number, attributeOnly = false): QueryNode {
    this.skipSpace();
    const valuePos = this.pos;
    const value = this.value(written);
    if (attributeOnly) return attributeNode(key, op, value, valuePos, this.subject);
    const asWritten = this.source.slice(valuePos, this.pos);
    return this.subject === "logs"
      ? (scopeTagNode(key, op, value) ?? logCompareNode(key, op, value, asWritten, keyPos, valuePos))
      : (jaegerTagNode(key, op, value) ?? scopeTagNode(key, op, value) ?? compareNode(key, op, value, valuePos));
  }

  /**
   * Quoted text, or a quoted key when an operator follows (`"status"=500`: the attribute of exactly
   * that name, as no other key can name one that is also a field, holds a space or starts with `@`).
   */
  private quotedTerm(start: number): Token {
    const text = this.quoted();
    const opPos = this.operatorAfterSpace(this.pos);
    const op = OPERATORS.find((candidate) => this.source.startsWith(candidate, opPos));
    if (op === undefined) return { kind: "term", pos: start, node: { type: "text", text, alsoKey: false } };
    if (text === "") throw new QueryError(`expected an attribute key before "${op}"`, opPos);
    this.pos = opPos + op.length;
    this.refuseOtherToolsOperator(text, op, opPos);
    return { kind: "term", pos: start, node: this.comparison(text, op, op, start, true) };
  }

  /**
   * Operators of other query languages, which would otherwise read as part of the value
   * (`http.status_code==500` as the value "=500", matching nothing): refused, saying what to write.
   */
  private refuseOtherToolsOperator(key: string, op: CompareOp, opPos: number): void {
    const after = this.source[this.pos];
    if (op.endsWith("=") && after === "=") {
      const doubled = `${op}=`;
      throw new QueryError(
        `"${doubled}" is not an operator: did you mean ${this.suggestion(key, op, this.pos + 1)}?`,
        opPos,
      );
    }
    if (op === "=" && after === "~") {
      throw new QueryError(
        `"=~" is not an operator: did you mean ${this.suggestion(key, "~", this.pos + 1)}? (~ finds text in the value, in any case; there are no regular expressions)`,
        opPos,
      );
    }
    if (op === "~" && key.endsWith("!") && key.length > 1) {
      throw new QueryError(
        `"!~" is not an operator: did you mean ${this.suggestion(`-${key.slice(0, -1)}`, "~", this.pos)}? (- negates a term)`,
        opPos - 1,
      );
    }
  }

  /** `key op` and the value written from `at` on, to show in a message. */
  private suggestion(key: string, op: string, from: number): string {
    let at = from;
    while (at < this.source.length && /\s/.test(this.source[at] as string)) at++;
    let end = at;
    if (this.source[end] === '"') {
      end = this.source.indexOf('"', end + 1);
      end = end === -1 ? this.source.length : end + 1;
    } else {
      while (
        end < this.source.length &&
        !STOP.has(this.source[end] as string) &&
        !/\s/.test(this.source[end] as string)
      ) {
        end++;
      }
    }
    return `${key}${op}${this.source.slice(at, end)}`;
  }

  /** Where an operator starts after `at` and spaces, or `at` when none does. */
  private operatorAfterSpace(at: number): number {
    let i = at;
    while (i < this.source.length && /\s/.test(this.source[i] as string)) i++;
    if (i === at || i >= this.source.length) return at;
    const ch = this.source[i] as string;
    return OPERATOR_START.has(ch) && (ch !== "!" || this.source[i + 1] === "=") ? i : at;
  }

  private single(kind: "lparen" | "rparen" | "minus"): Token {
    return { kind, pos: this.pos++ };
  }

  /** Characters up to a space, a parenthesis, `|`, a quote or an operator. */
  private word(): string {
    const start = this.pos;
    while (this.pos < this.source.length) {
      const ch = this.source[this.pos] as string;
      if (STOP.has(ch) || /\s/.test(ch) || this.atAnd()) break;
      // "!" alone is text ("failed!"); only "!=" is an operator.
      if (OPERATOR_START.has(ch) && (ch !== "!" || this.source[this.pos + 1] === "=")) break;
      this.pos++;
    }
    return this.source.slice(start, this.pos);
  }

  /** Whether `&&` (and, as other tools write it) starts here: it ends a word or a value as a space does. */
  private atAnd(): boolean {
    return this.source[this.pos] === "&" && this.source[this.pos + 1] === "&";
  }

  private value(op: string): string {
    if (this.source[this.pos] === '"') return this.quoted();
    const start = this.pos;
    while (this.pos < this.source.length) {
      const ch = this.source[this.pos] as string;
      if (STOP.has(ch) || /\s/.test(ch) || this.atAnd()) break;
      this.pos++;
    }
    if (this.pos === start) {
      throw new QueryError(`expected a value after "${op}" (quote it, "", to compare with empty text)`, start);
    }
    return this.source.slice(start, this.pos);
  }

  /** A double-quoted string with \" \\ \n \t \r escapes; `pos` is at the opening quote. */
  private quoted(): string {
    const open = this.pos++;
    let out = "";
    while (this.pos < this.source.length) {
      const ch = this.source[this.pos++] as string;
      if (ch === '"') return out;
      if (ch === "\\") {
        if (this.pos >= this.source.length) break;
        const escaped = this.source[this.pos++] as string;
        out += ESCAPES[escaped] ?? escaped;
      } else {
        out += ch;
      }
    }
    throw new QueryError("this quote is never closed", open);
  }
}

/** What a query is asked of: spans (the trace list) or log records (the Logs page). */
export type QuerySubject = "spans" | "logs";

/** Keys that name a log record's level in a log query (`severity>=warn`, `level=error`). */
export const LEVEL_KEYS: ReadonlySet<string> = new Set(["severity", "level"]);

/**
 * A `key op value` term of a log query: a level compares by rank (a level name, or a severity number
 * 1–24); span terms are refused, saying what to write instead; anything else is as for spans.
 */
function logCompareNode(
  key: string,
  op: CompareOp,
  value: string,
  writtenValue: string,
  keyPos: number,
  valuePos: number,
): QueryNode {
  const field = key.toLowerCase();
  if (LEVEL_KEYS.has(field)) {
    if (op === "~") throw new QueryError(`${field} takes =, !=, >, >=, < or <= and a level, not "~"`, valuePos - 1);
    const number = numberOf(value);
    const isNumber = number !== null && Number.isInteger(number) && number >= 1 && number <= 24;
    if (!isNumber && severityFromText(value) === undefined) {
      throw new QueryError(
        `${quoteForMessage(value)} is not a level: use trace, debug, info, warn, error or fatal (or 1–24)`,
        valuePos,
      );
    }
    return { type: "attribute", key: field, op, value, number: isNumber ? number : null };
  }
  // A record may well carry an attribute of that name (a logger's `status: 500`): `@key` finds it.
  const attribute = `@${key}${op}${writtenValue.length > 40 ? `${writtenValue.slice(0, 40)}…` : writtenValue}`;
  if (field === "status") {
    throw new QueryError(
      `log records have no status field: severity>=error finds failures; ${attribute} finds the attribute`,
      keyPos,
    );
  }
  if (field === "kind" || field === "duration" || field === "operation") {
    const what = field === "kind" ? "span kind" : field;
    throw new QueryError(`log records have no ${what}: ${attribute} finds the attribute`, keyPos);
  }
  if (field === "peer") {
    throw new QueryError(`log records call nothing: peer= is for spans; ${attribute} finds the attribute`, keyPos);
  }
  return compareNode(key, op, value, valuePos);
}

/** Jaeger's tags for a span's status and kind, which a query reads as the span's status and kind (see jaegerTagNode). */
export const JAEGER_TAG_KEYS: ReadonlySet<string> = new Set(["error", "otel.status_code", "span.kind"]);

/**
 * Jaeger's tags for a span's status and kind, which its UI shows on every span and its search takes:
 * `error=true`, `otel.status_code=ERROR`, `span.kind=server` read as `status=error`, `status=error` and
 * `kind=server`, so a search carried over from Jaeger finds what it found there; a span that carries an
 * attribute of that name and value matches too. The negated forms (`!=`, `error=false`) are the "="
 * form negated (`error=false` is `error!=true`): `error!=true` finds every span `error=true` does not,
 * whatever other value an attribute `error` holds.
 * Undefined for any other term.
 */
function jaegerTagNode(key: string, op: CompareOp, value: string): QueryNode | undefined {
  const field = key.toLowerCase();
  if ((op !== "=" && op !== "!=") || !JAEGER_TAG_KEYS.has(field)) return undefined;
  const lower = value.toLowerCase();
  let intrinsic: QueryNode | undefined;
  let negated = op === "!=";
  let matchValue = value;
  if (field === "error" && (lower === "true" || lower === "false")) {
    intrinsic = { type: "status", op: "=", value: "error" };
    if (lower === "false") {
      negated = !negated;
      matchValue = "true";
    }
  } else if (field === "otel.status_code" && (STATUS_VALUES as readonly string[]).includes(lower)) {
    intrinsic = { type: "status", op: "=", value: lower as (typeof STATUS_VALUES)[number] };
  } else if (field === "span.kind" && (KIND_VALUES as readonly string[]).includes(lower)) {
    intrinsic = { type: "kind", op: "=", value: lower as (typeof KIND_VALUES)[number] };
  }
  if (intrinsic === undefined) return undefined;
  const equal: QueryNode = {
    type: "or",
    items: [intrinsic, { type: "attribute", key, op: "=", value: matchValue, number: numberOf(matchValue) }],
  };
  return negated ? { type: "not", item: equal } : equal;
}

/**
 * The keys that name a span's instrumentation scope, as Jaeger shows it on every span (and OTel's
 * older `otel.library.*`): which part of the scope each reads.
 */
export const SCOPE_TAG_KEYS: ReadonlyMap<string, "name" | "version"> = new Map([
  ["otel.scope.name", "name"],
  ["otel.scope.version", "version"],
  ["otel.library.name", "name"],
  ["otel.library.version", "version"],
]);

/**
 * `otel.scope.name=…` (`~`, `!=`; `.version`, `otel.library.*` too) reads the span's (or the log
 * record's) instrumentation scope, which no attribute holds; one that carries an attribute of that
 * name matches too (a span converted from Jaeger or Zipkin). `!=` is the "=" form negated, as for
 * Jaeger's tags: every span and record has a scope. Undefined for any other term (numbers compare
 * attributes only).
 */
function scopeTagNode(key: string, op: CompareOp, value: string): QueryNode | undefined {
  const part = SCOPE_TAG_KEYS.get(key.toLowerCase());
  if (part === undefined || (op !== "=" && op !== "!=" && op !== "~")) return undefined;
  const scopeOp = op === "~" ? "~" : "=";
  const equal: QueryNode = {
    type: "or",
    items: [
      { type: "scope", part, op: scopeOp, value },
      { type: "attribute", key, op: scopeOp, value, number: numberOf(value) },
    ],
  };
  return op === "!=" ? { type: "not", item: equal } : equal;
}

/**
 * Attributes besides the renamed ones of semconv-aliases.ts that a search from another tool names as
 * `key:value` often enough to read so.
 */
const COMMON_ATTRIBUTE_KEYS = [
  "http.route",
  "service.name",
  "service.version",
  "deployment.environment",
  "deployment.environment.name",
  "exception.type",
  "exception.message",
  "rpc.system",
  "rpc.service",
  "rpc.method",
  "error.type",
];

/** The key of a log record's body: `body=…` compares it whole, `body:text` finds text in it. */
export const BODY_KEY = "body";

/** Keys of log records only: the body and the ids a record carries (its level is LEVEL_KEYS). */
const LOG_ONLY_KEYS = [BODY_KEY, "trace_id", "traceid", "span_id", "spanid"];

/** Attributes a query names, for spans and log records alike. */
const NAMED_ATTRIBUTE_KEYS = [...SCOPE_TAG_KEYS.keys(), ...ATTRIBUTE_ALIAS_GROUPS.flat(), ...COMMON_ATTRIBUTE_KEYS];

const SPAN_COLON_KEYS: ReadonlySet<string> = new Set([
  ...INTRINSIC_FIELDS,
  ...[...JAEGER_TAG_KEYS].filter((key) => key !== "error"),
  ...NAMED_ATTRIBUTE_KEYS,
]);
/**
 * A log query reads `key:value` only where a record's own value answers what a search for that text
 * meant: its level, service, event name (`name:job.failed`, as `name=`), ids and named attributes. A
 * span's fields (`status:500`, `duration:12ms`, `kind:Pod`) and Jaeger's span tags stay text, as a
 * record's body may well hold them.
 */
const LOG_COLON_KEYS: ReadonlySet<string> = new Set([
  "service",
  "name",
  ...NAMED_ATTRIBUTE_KEYS,
  ...LEVEL_KEYS,
  ...LOG_ONLY_KEYS,
]);

/** An attribute key as Datadog writes one after `@`: letters, digits, `_`, `.`, `-`. */
export const ATTRIBUTE_KEY = /^[A-Za-z_][\w.-]*$/;

/**
 * The key `prefix:value` compares, or undefined when the word is text: a field or an attribute a
 * query reads (case-insensitive), or any attribute-shaped key after Datadog's `@` (`@app.order.id:7`).
 */
function colonKeyOf(prefix: string, subject: QuerySubject): string | undefined {
  if (prefix.startsWith("@")) {
    const key = prefix.slice(1);
    return ATTRIBUTE_KEY.test(key) ? key : undefined;
  }
  const known = subject === "logs" ? LOG_COLON_KEYS : SPAN_COLON_KEYS;
  return known.has(prefix.toLowerCase()) ? prefix : undefined;
}

/**
 * The attribute key of `@key` before an operator (`@status=500`, `@retries:>3`): Datadog's marker of
 * an attribute, so the key is never read as a field. Undefined for any other word.
 */
function markedAttributeKey(word: string): string | undefined {
  if (!word.startsWith("@")) return undefined;
  const key = word.endsWith(":") ? word.slice(1, -1) : word.slice(1);
  return ATTRIBUTE_KEY.test(key) ? key : undefined;
}

/** The key of `word:` before an operator (`retries:>3`): the word without its colon when that is attribute-shaped. */
function rangeKeyOf(word: string): string {
  const key = word.slice(0, -1);
  return ATTRIBUTE_KEY.test(key) ? key : word;
}

function compareNode(key: string, op: CompareOp, value: string, valuePos: number): QueryNode {
  const field = key.toLowerCase();
  if (field === "service" || field === "name" || field === "operation" || field === "peer") {
    if (op !== "=" && op !== "!=" && op !== "~") {
      throw new QueryError(`${field} takes =, != or ~, not "${op}"`, valuePos - op.length);
    }
    return { type: "field", field, op, value };
  }
  if (field === "status" || field === "kind") {
    if (op !== "=" && op !== "!=") throw new QueryError(`${field} takes = or !=, not "${op}"`, valuePos - op.length);
    const allowed: readonly string[] = field === "status" ? STATUS_VALUES : KIND_VALUES;
    const lower = value.toLowerCase();
    if (!allowed.includes(lower)) {
      throw new QueryError(`${field} is one of ${allowed.join(", ")}, not ${quoteForMessage(value)}`, valuePos);
    }
    return field === "status"
      ? { type: "status", op, value: lower as (typeof STATUS_VALUES)[number] }
      : { type: "kind", op, value: lower as (typeof KIND_VALUES)[number] };
  }
  if (field === "duration") {
    if (op === "~") throw new QueryError('duration takes =, !=, >, <, >= or <=, not "~"', valuePos - 1);
    const nanos = parseQueryDuration(value);
    if (nanos === null) {
      throw new QueryError(
        `${quoteForMessage(value)} is not a duration: try 250ms, 1.5s, 2m, 100us (a bare number is milliseconds)`,
        valuePos,
      );
    }
    return { type: "duration", op, nanos };
  }
  return attributeCompare(key, op, value, valuePos, "");
}

/** An attribute term; `hint` ends the message of a range whose value is no number. */
function attributeCompare(
  key: string,
  op: CompareOp,
  value: string,
  valuePos: number,
  hint: string,
): Extract<QueryNode, { type: "attribute" }> {
  const number = numberOf(value);
  if ((op === ">" || op === "<" || op === ">=" || op === "<=") && number === null) {
    throw new QueryError(`"${op}" compares numbers, and ${quoteForMessage(value)} is not one${hint}`, valuePos);
  }
  return { type: "attribute", key, op, value, number };
}

/**
 * The attribute of exactly this name (`@key`, a quoted key): never a field, a level, Jaeger's tag or
 * the scope. A span field's name says how to reach the field when the value suits it and not the
 * attribute (`@duration>1s`).
 */
function attributeNode(key: string, op: CompareOp, value: string, valuePos: number, subject: QuerySubject): QueryNode {
  const field = key.toLowerCase();
  const isSpanField = subject === "spans" && (INTRINSIC_FIELDS as readonly string[]).includes(field);
  const hint = isSpanField ? `; ${field}${op}${value} reads the span's ${field}` : "";
  return { ...attributeCompare(key, op, value, valuePos, hint), attributeOnly: true };
}

class Parser {
  private index = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  parse(): QueryNode {
    const node = this.or();
    const extra = this.tokens[this.index];
    if (extra !== undefined) {
      throw new QueryError(extra.kind === "rparen" ? 'this ")" closes nothing' : "unexpected text", extra.pos);
    }
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private or(): QueryNode {
    const items = [this.and()];
    for (let token = this.peek(); token?.kind === "or"; token = this.peek()) {
      this.index++;
      const next = this.peek();
      if (next === undefined || next.kind === "rparen" || next.kind === "or") {
        throw new QueryError('expected a term after "or"', next?.pos ?? this.length);
      }
      items.push(this.and());
    }
    return items.length === 1 ? (items[0] as QueryNode) : { type: "or", items };
  }

  private and(): QueryNode {
    const items = [this.unary()];
    for (let token = this.peek(); token !== undefined; token = this.peek()) {
      if (token.kind === "or" || token.kind === "rparen") break;
      if (token.kind === "and") {
        this.index++;
        const next = this.peek();
        if (next === undefined || next.kind === "rparen" || next.kind === "or" || next.kind === "and") {
          throw new QueryError('expected a term after "and"', next?.pos ?? this.length);
        }
      }
      items.push(this.unary());
    }
    return items.length === 1 ? (items[0] as QueryNode) : { type: "and", items };
  }

  private unary(): QueryNode {
    const token = this.peek();
    if (token === undefined) throw new QueryError("expected a term", this.length);
    if (token.kind === "not" || token.kind === "minus") {
      this.index++;
      if (this.peek() === undefined) {
        throw new QueryError(`expected a term after "${token.kind === "not" ? "not" : "-"}"`, this.length);
      }
      return { type: "not", item: this.unary() };
    }
    return this.primary();
  }

  private primary(): QueryNode {
    const token = this.peek() as Token;
    if (token.kind === "term") {
      this.index++;
      return token.node;
    }
    if (token.kind === "lparen") {
      this.index++;
      const next = this.peek();
      if (next === undefined) throw new QueryError('this "(" is never closed', token.pos);
      if (next.kind === "rparen") throw new QueryError('expected a term inside "( )"', next.pos);
      const node = this.or();
      const close = this.peek();
      if (close?.kind !== "rparen") throw new QueryError('this "(" is never closed', token.pos);
      this.index++;
      return node;
    }
    if (token.kind === "rparen") throw new QueryError('this ")" closes nothing', token.pos);
    throw new QueryError(`expected a term before "${token.kind === "or" ? "or" : "and"}"`, token.pos);
  }
}

/**
 * Why `source` does not parse, in one line naming where ("… (at character 8 of "status=")"), or null
 * when it does.
 */
export function queryRefusal(source: string, subject: QuerySubject = "spans"): string | null {
  try {
    parseQuery(source, subject);
    return null;
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    return `${error.message} (at character ${characterNumber(source, error.position)} of "${source}")`;
  }
}

/**
 * Parses a query; throws QueryError. An empty or blank query is undefined (no filter). A query of log
 * records (`subject` "logs") reads `severity`/`level` terms as levels and refuses span terms.
 */
export function parseQuery(source: string, subject: QuerySubject = "spans"): QueryNode | undefined {
  if (source.trim() === "") return undefined;
  const tokens = new Lexer(source, subject).tokens();
  return new Parser(tokens, source.length).parse();
}
