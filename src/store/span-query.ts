import { type PathRead, pathReadsOf, testPathsIn } from "../domain/attribute-paths.js";
import { compareDecimalTexts } from "../domain/decimal-order.js";
import { methodOfOperationName, operationNameTexts, operationOf } from "../domain/operation.js";
import { numberOfText, parseQuery, type QueryNode } from "../domain/query.js";
import { type AliasRead, aliasReadsOf } from "../domain/semconv-aliases.js";
import type { PeerNames } from "../domain/service-map.js";
import type { Attributes, AttrValue, InstrumentationScope, SpanEvent, SpanKind, SpanStatus } from "../domain/span.js";
import { calleesOfSpans, callPair } from "../domain/trace-calls.js";
import type { BlockNeed, TraceBounds } from "./trace-blocks.js";
import { keyTokens, requiredTokens, termTokens } from "./trace-blooms.js";

/** What a query looks at in a span; a domain `Span` is one, and the SQLite store builds one from a row. */
export interface QueryableSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  service: string;
  status: SpanStatus;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  resource: Attributes;
  events: readonly SpanEvent[];
  /**
   * Its tracer, which decides whether an INTERNAL span names what it calls (service-map.ts
   * calledPeerOf) and what `otel.scope.name=` terms read; the SQLite store leaves it out of rows
   * whose tracer is no TraceKit SDK's unless the query has such a term (see `readsScopes`).
   */
  scope?: Pick<InstrumentationScope, "name"> & Partial<Pick<InstrumentationScope, "version">>;
}

export interface CompiledSpanQuery<S extends QueryableSpan> {
  /**
   * Whether this span satisfies the whole query (a trace matches when one of its spans does). A
   * span judged alone calls nothing: with `needsCalls`, judge a trace's spans by `matchesSpans`.
   */
  matchesSpan(span: S): boolean;
  /** Whether one of a trace's spans (all of them, for what each calls) satisfies the whole query. */
  matchesSpans(spans: readonly S[]): boolean;
  /** The query has a `peer` term: a span's match depends on the other spans of its trace (see matchesSpans). */
  needsCalls: boolean;
  /** The query has an `otel.scope.*` term: each span judged needs its `scope` (name and version). */
  readsScopes: boolean;
  /**
   * Calls (see domain/trace-calls.ts callPairsOf) a trace must hold one of per list for a span of it
   * to match (`peer="…"` and `peer~…` terms, with the `service="…"` that calls it when the same span
   * must have both); empty: none required. See callsAllow.
   */
  calls: CallNeed[][];
  /**
   * False when no span of a trace with this summary can match: the trace's spans need not be read.
   * Monotone: more services, more errors or a longer duration never turn true into false, so the
   * bounds of a block of traces may stand in for each of them (see trace-blocks.ts).
   */
  mayMatchTrace(summary: TraceBounds): boolean;
  /** What a trace's Bloom filter must hold for a span of it to match (see trace-blooms.ts); empty: nothing. */
  tokens: number[][];
  /** What a block of traces must hold for one of them to match: `tokens` and free text (see trace-blocks.ts). */
  blockNeeds: BlockNeed[][];
  /**
   * Operation names (see domain/operation.ts operationOf) a trace must hold one of per list for a span
   * of it to match (`operation="…"` terms); empty: none required.
   */
  operations: string[][];
}

type SpanTest<S> = (span: S) => boolean;
/** Three-valued: false = cannot match, true = may match. */
type SummaryTest = (summary: TraceBounds) => boolean;

/** An attribute's own value (never an inherited property such as `constructor` or `__proto__`). */
function ownValue(attributes: Attributes, key: string): AttrValue | undefined {
  const value = attributes[key];
  if (value === undefined || typeof value === "function") return undefined;
  if (key === "__proto__" && !Object.hasOwn(attributes, key)) return undefined;
  return value;
}

export function testIn(attributes: Attributes, read: AliasRead, test: (value: AttrValue) => boolean): boolean {
  const value = ownValue(attributes, read.key);
  if (value === undefined) return false;
  if (read.adapt === undefined || typeof value !== "string") return test(value);
  if (read.adapt === "cut-query") {
    const at = value.indexOf("?");
    return test(at < 0 ? value : value.slice(0, at));
  }
  const query = ownValue(attributes, "url.query");
  return test(typeof query === "string" && query !== "" ? `${value}?${query}` : value);
}

/** Whether some value of the key (or an alias) in the span's, its resource's or its events' attributes passes `test`. */
export function someValue(
  span: QueryableSpan,
  reads: readonly AliasRead[],
  test: (value: AttrValue) => boolean,
): boolean {
  for (const read of reads) {
    if (testIn(span.attributes, read, test)) return true;
    if (testIn(span.resource, read, test)) return true;
    for (const event of span.events) if (testIn(event.attributes, read, test)) return true;
  }
  return false;
}

/**
 * someValue, and for a dotted key the values inside map attributes it names as a path (`user.id` in
 * `user: { id: 5 }`, `app.customer.tier` in `app.customer: { tier: "gold" }`, see
 * domain/attribute-paths.ts): looked for only when no flat value passed.
 */
export function someValueOrPath(
  span: QueryableSpan,
  reads: readonly AliasRead[],
  paths: readonly PathRead[],
  test: (value: AttrValue) => boolean,
): boolean {
  if (someValue(span, reads, test)) return true;
  if (paths.length === 0) return false;
  if (testPathsIn(span.attributes, paths, test) || testPathsIn(span.resource, paths, test)) return true;
  for (const event of span.events) if (testPathsIn(event.attributes, paths, test)) return true;
  return false;
}

export const present = (): boolean => true;

/** Past this, doubles no longer hold every integer: a comparison there reads the decimal digits. */
const EXACT_BOUND = Number.MAX_SAFE_INTEGER;

/**
 * `a op b` for a value and a query's number: exactly when the value is an integer kept as its digits
 * (`aText`) and either is past 2^53 (see compareDecimalTexts); as doubles when the value is one. A
 * double past 2^53 stands for every number that rounds to it, and is shown the short way
 * (12345678901234567000 for 12345678901234567168): the text a user copies from the page finds it.
 */
function orderedNumbers(
  a: number,
  aText: string | null,
  op: "=" | ">" | "<" | ">=" | "<=",
  b: number,
  bText: string,
): boolean {
  if (aText !== null && (Math.abs(a) > EXACT_BOUND || Math.abs(b) > EXACT_BOUND)) {
    const order = compareDecimalTexts(aText, bText);
    if (order !== undefined) return compareOrdered(order, op, 0);
  }
  return op === "=" ? a === b : compareNumbers(a, op, b);
}

/**
 * `=` of a value and a query's text (`number`: the number it reads as, or null): text is equal as
 * written, and numeric text (`"250"`) also as a number when the query's is one (`250.0`, `2.5e2`), as
 * the range operators read it; an integer kept as its digits past 2^53 compares by them.
 */
export function valueEquals(value: AttrValue, text: string, number: number | null): boolean {
  if (typeof value === "string") {
    if (value === text) return true;
    if (number === null) return false;
    const n = numberOfText(value);
    return n !== null && orderedNumbers(n, value, "=", number, text);
  }
  if (typeof value === "number") return number !== null && orderedNumbers(value, null, "=", number, text);
  if (typeof value === "boolean") return text === (value ? "true" : "false");
  if (Array.isArray(value)) return value.some((item) => valueEquals(item, text, number));
  return false;
}

function valueText(value: AttrValue): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

function compareNumbers(a: number, op: ">" | "<" | ">=" | "<=", b: number): boolean {
  return op === ">" ? a > b : op === "<" ? a < b : op === ">=" ? a >= b : a <= b;
}

/**
 * Whether a value (a number, numeric text, or a list holding one) is in the range; an integer kept as
 * text past 2^53 compares by its digits against the bound as written (`boundText`).
 */
function numericMatch(value: AttrValue, op: ">" | "<" | ">=" | "<=", bound: number, boundText: string): boolean {
  if (typeof value === "number") return orderedNumbers(value, null, op, bound, boundText);
  if (typeof value === "string") {
    const n = numberOfText(value);
    return n !== null && orderedNumbers(n, value, op, bound, boundText);
  }
  if (Array.isArray(value)) return value.some((item) => numericMatch(item, op, bound, boundText));
  return false;
}

/** `a op b` for two numbers or two bigints (durations in nanoseconds, a log record's level rank). */
export function compareOrdered<T extends number | bigint>(
  a: T,
  op: "=" | "!=" | ">" | "<" | ">=" | "<=",
  b: T,
): boolean {
  switch (op) {
    case "=":
      return a === b;
    case "!=":
      return a !== b;
    case ">":
      return a > b;
    case "<":
      return a < b;
    case ">=":
      return a >= b;
    default:
      return a <= b;
  }
}

/** A query as a test of items (spans, log records): AND, OR and NOT combined here, each term by `term`. */
export function queryTest<T>(node: QueryNode, term: (term: QueryNode) => (item: T) => boolean): (item: T) => boolean {
  const test = (n: QueryNode): ((item: T) => boolean) => {
    switch (n.type) {
      case "and": {
        const items = n.items.map(test);
        return (item) => items.every((each) => each(item));
      }
      case "or": {
        const items = n.items.map(test);
        return (item) => items.some((each) => each(item));
      }
      case "not": {
        const inner = test(n.item);
        return (item) => !inner(item);
      }
      default:
        return term(n);
    }
  };
  return test(node);
}

/** A `service=` / `name=` term (`=`, `!=`, `~` in any case) on the text `read` gives of an item. */
export function fieldTermTest<T>(
  n: Extract<QueryNode, { type: "field" }>,
  read: (item: T) => string,
): (item: T) => boolean {
  const value = n.value;
  if (n.op === "=") return (item) => read(item) === value;
  if (n.op === "!=") return (item) => read(item) !== value;
  const lower = value.toLowerCase();
  return (item) => read(item).toLowerCase().includes(lower);
}

/**
 * An `otel.scope.name` / `otel.scope.version` term (`=` exact, `~` in any case) on an item's
 * instrumentation scope (a span's tracer, a log record's logger), as `scopeOf` gives it.
 */
export function scopeTermTest<T>(
  n: Extract<QueryNode, { type: "scope" }>,
  scopeOf: (item: T) => { name?: string; version?: string } | undefined,
): (item: T) => boolean {
  const read = n.part === "name" ? (item: T) => scopeOf(item)?.name ?? "" : (item: T) => scopeOf(item)?.version ?? "";
  if (n.op === "=") {
    const value = n.value;
    return (item) => read(item) === value;
  }
  const lower = n.value.toLowerCase();
  return (item) => read(item).toLowerCase().includes(lower);
}

/**
 * A `key op value` term as a test of an item (a span, a log record) whose values of that key
 * `some(item, test)` looks through: true when one of them passes `test`. `!=` needs the key present
 * with no value equal (numeric text equal as a number too, see valueEquals); `>`/`<` compare numbers
 * (or numeric text); `~` looks for the text in any case.
 */
export function attributeTermTest<T>(
  n: Extract<QueryNode, { type: "attribute" }>,
  some: (item: T, test: (value: AttrValue) => boolean) => boolean,
): (item: T) => boolean {
  const { value, number } = n;
  switch (n.op) {
    case "=": {
      const equals = (v: AttrValue) => valueEquals(v, value, number);
      return (item) => some(item, equals);
    }
    case "!=": {
      const equals = (v: AttrValue) => valueEquals(v, value, number);
      return (item) => some(item, present) && !some(item, equals);
    }
    case "~": {
      const lower = value.toLowerCase();
      const contains = (v: AttrValue) => valueText(v).toLowerCase().includes(lower);
      return (item) => some(item, contains);
    }
    default: {
      const op = n.op;
      const bound = number as number;
      const passes = (v: AttrValue) => numericMatch(v, op, bound, value);
      return (item) => some(item, passes);
    }
  }
}

/** What a `service=`, `name=` or `operation=` term reads of a span. */
function fieldOf<S extends QueryableSpan>(
  field: Exclude<Extract<QueryNode, { type: "field" }>["field"], "peer">,
): (span: S) => string {
  if (field === "service") return (span) => span.service;
  if (field === "name") return (span) => span.name;
  // As the Services page names the span's operation; its service is the `service=` term's.
  return (span) => operationOf(span).name;
}

/**
 * A call a trace must hold: to the node named `to` (with `contains`: whose name holds `to` in any
 * case), from the service `from` (null: from any). `text` is the whole callPair text (from a service)
 * or its end (`\0to`, from any); with `contains`, its start (`from\0`, or "").
 */
export interface CallNeed {
  from: string | null;
  to: string;
  contains: boolean;
  text: string;
}

function callNeed(from: string | null, to: string, contains: boolean): CallNeed {
  const text = contains ? (from === null ? "" : `${from}\u0000`) : from === null ? `\u0000${to}` : callPair(from, to);
  return { from, to, contains, text };
}

/**
 * Whether a callPair text may be a call `need` asks for: never false for one that is (a name holding
 * NUL, the pair's separator, may let another through).
 */
function isNeeded(pair: string, need: CallNeed): boolean {
  if (!need.contains) return need.from === null ? pair.endsWith(need.text) : pair === need.text;
  if (!pair.startsWith(need.text)) return false;
  const to = need.from === null ? pair.slice(pair.indexOf("\u0000") + 1) : pair.slice(need.text.length);
  return to.toLowerCase().includes(need.to);
}

/** Whether a term of the query passes `test`. */
function hasTerm(node: QueryNode, test: (term: QueryNode) => boolean): boolean {
  switch (node.type) {
    case "and":
    case "or":
      return node.items.some((item) => hasTerm(item, test));
    case "not":
      return hasTerm(node.item, test);
    default:
      return test(node);
  }
}

const isPeerTerm = (node: QueryNode): boolean =>
  hasTerm(node, (term) => term.type === "field" && term.field === "peer");

/**
 * What calls a trace must hold for `node` to match one of its spans (see requirementsOf): a
 * `peer="B"` term needs a call to B (`peer~b`, to a name holding b), from A when `service="A"` is
 * ANDed with it (one span has both).
 */
export function callNeedsOf(node: QueryNode, from: string | null = null): CallNeed[][] {
  switch (node.type) {
    case "and": {
      const service = node.items.find((item) => item.type === "field" && item.field === "service" && item.op === "=");
      const caller = service?.type === "field" ? service.value : from;
      return node.items.flatMap((item) => callNeedsOf(item, caller));
    }
    case "or": {
      const each = node.items.map((item) => callNeedsOf(item, from));
      if (each.some((needs) => needs.length === 0)) return [];
      return [each.flatMap((needs) => needs[0] as CallNeed[])];
    }
    case "field":
      if (node.field !== "peer" || node.op === "!=") return [];
      return [[node.op === "~" ? callNeed(from, node.value.toLowerCase(), true) : callNeed(from, node.value, false)]];
    default:
      return [];
  }
}

/**
 * Whether a trace with these calls (callPairsOf; null: not known) may match a query needing `needs`:
 * false only when it lacks every call of one list.
 */
export function callsAllow(pairs: readonly string[] | null, needs: readonly (readonly CallNeed[])[]): boolean {
  if (pairs === null) return true;
  for (const oneOf of needs) {
    if (!oneOf.some((need) => pairs.some((pair) => isNeeded(pair, need)))) return false;
  }
  return true;
}

export interface SpanQueryOptions {
  /** `--service-name-mapping`: how `peer=` names the peers spans call (as the service map does). */
  peerNames?: PeerNames;
}

/**
 * Compiles a parsed query into a span predicate. `searchText` gives a span's lower-cased free-text
 * (see domain/search.ts); stores cache or rebuild it as suits them.
 */
export function compileSpanQuery<S extends QueryableSpan>(
  node: QueryNode,
  searchText: (span: S) => string,
  options: SpanQueryOptions = {},
): CompiledSpanQuery<S> {
  /** What the span being judged by matchesSpans calls (see domain/trace-calls.ts); undefined: nothing. */
  let callees: readonly string[] | undefined;

  function peerTest(n: Extract<QueryNode, { type: "field" }>): SpanTest<S> {
    const value = n.value;
    if (n.op === "=") return () => callees?.includes(value) === true;
    if (n.op === "!=") return () => callees !== undefined && !callees.includes(value);
    const lower = value.toLowerCase();
    return () => callees?.some((name) => name.toLowerCase().includes(lower)) === true;
  }

  function termTest(n: QueryNode): SpanTest<S> {
    switch (n.type) {
      case "text": {
        const needle = n.text.toLowerCase();
        if (!n.alsoKey) return (span) => searchText(span).includes(needle);
        const reads = aliasReadsOf(n.text);
        return (span) => searchText(span).includes(needle) || someValue(span, reads, present);
      }
      case "exists": {
        const reads = aliasReadsOf(n.key);
        const paths = pathReadsOf(n.key);
        return (span) => someValueOrPath(span, reads, paths, present);
      }
      case "attribute":
        return attributeTest(n);
      case "field":
        if (n.field === "peer") return peerTest(n);
        if (n.field === "operation" && n.op !== "~" && methodOfOperationName(n.value) === undefined) {
          // Such an operation's spans are named so: most spans are passed over by their name alone.
          const value = n.value;
          const named = (span: S) => span.name === value && operationOf(span).name === value;
          return n.op === "=" ? named : (span) => !named(span);
        }
        return fieldTermTest<S>(n, fieldOf(n.field as Exclude<typeof n.field, "peer">));
      case "status": {
        const code = n.value.toUpperCase();
        return n.op === "=" ? (span) => span.status.code === code : (span) => span.status.code !== code;
      }
      case "kind": {
        const kind = n.value.toUpperCase();
        return n.op === "=" ? (span) => span.kind === kind : (span) => span.kind !== kind;
      }
      case "scope":
        return scopeTermTest<S>(n, (span) => span.scope);
      case "duration": {
        const { op, nanos } = n;
        return (span) => {
          const d = span.endTimeUnixNano > span.startTimeUnixNano ? span.endTimeUnixNano - span.startTimeUnixNano : 0n;
          return compareOrdered(d, op, nanos);
        };
      }
      default:
        // AND, OR and NOT are queryTest's.
        return () => false;
    }
  }

  function attributeTest(n: Extract<QueryNode, { type: "attribute" }>): SpanTest<S> {
    const reads = aliasReadsOf(n.key);
    const paths = pathReadsOf(n.key);
    return attributeTermTest<S>(n, (span, test) => someValueOrPath(span, reads, paths, test));
  }

  function summaryTest(n: QueryNode): SummaryTest {
    switch (n.type) {
      case "and": {
        const items = n.items.map(summaryTest);
        return (summary) => items.every((test) => test(summary));
      }
      case "or": {
        const items = n.items.map(summaryTest);
        return (summary) => items.some((test) => test(summary));
      }
      case "field":
        if (n.field === "service" && n.op === "=") {
          const service = n.value;
          return (summary) => summary.services.includes(service);
        }
        return present;
      case "status":
        if (n.op === "=" && n.value === "error") return (summary) => summary.errorCount > 0;
        return present;
      case "duration": {
        // A span lasts at most as long as its trace; the margin covers milliseconds' rounding.
        if (n.op !== ">" && n.op !== ">=" && n.op !== "=") return present;
        const boundMs = Number(n.nanos) / 1e6;
        return (summary) => summary.durationMs >= boundMs - 1e-3;
      }
      default:
        return present;
    }
  }

  const matchesSpan = queryTest<S>(node, termTest);
  const needsCalls = isPeerTerm(node);
  const peerNames = options.peerNames;
  return {
    matchesSpan,
    matchesSpans(spans) {
      if (!needsCalls) return spans.some(matchesSpan);
      const calleesBySpan = calleesOfSpans(spans, peerNames);
      try {
        for (let i = 0; i < spans.length; i++) {
          callees = calleesBySpan[i];
          if (matchesSpan(spans[i] as S)) return true;
        }
        return false;
      } finally {
        callees = undefined;
      }
    },
    needsCalls,
    readsScopes: hasTerm(node, (term) => term.type === "scope"),
    calls: callNeedsOf(node),
    mayMatchTrace: summaryTest(node),
    tokens: requiredTokens(node),
    blockNeeds: requiredBlockNeeds(node),
    operations: requirementsOf<string>(node, (term) =>
      term.type === "field" && term.field === "operation" && term.op === "=" ? [[term.value]] : [],
    ),
  };
}

/**
 * Lower-cased text that is in a piece of the search text (see domain/search.ts) of every span that
 * `text` is in, or undefined: text with a line break may run across two pieces, and empty text is
 * in every span.
 */
function searchNeedle(text: string): string | undefined {
  const needle = text.toLowerCase();
  return needle === "" || needle.includes("\n") ? undefined : needle;
}

/** `requiredTokens` plus what free text and span names require of a block's pieces of search text. */
export function requiredBlockNeeds(node: QueryNode): BlockNeed[][] {
  return requirementsOf<BlockNeed>(node, (term) => {
    if (term.type === "text") {
      const needle = searchNeedle(term.text);
      if (needle === undefined) return [];
      // An unquoted word also matches a span that has an attribute of that key.
      return [term.alsoKey ? [needle, ...keyTokens(term.text)] : [needle]];
    }
    if (term.type === "field") {
      if (term.field === "operation") {
        // Its name, route, path or peer is a piece of the span's search text (see operationNameTexts).
        const texts = term.op === "=" ? operationNameTexts(term.value) : null;
        const needles = texts?.map(searchNeedle) ?? [];
        return needles.length === 0 || needles.includes(undefined) ? [] : [needles as string[]];
      }
      // A span's name is a piece of its search text: `name=` and `name~` need their text in one.
      const needle = term.field === "name" && term.op !== "!=" ? searchNeedle(term.value) : undefined;
      return needle === undefined ? [] : [[needle]];
    }
    return termTokens(term);
  });
}

/**
 * What a span must hold for `node` to match it, as a list of "one of these" lists (all must hold),
 * from what `leaf` requires of single terms: a necessary condition, so a store may rule out a span
 * or trace that lacks it without evaluating the query. An OR requires one of its branches' first
 * requirement; a negation requires nothing.
 */
export function requirementsOf<T>(node: QueryNode, leaf: (term: QueryNode) => T[][]): T[][] {
  switch (node.type) {
    case "and":
      return node.items.flatMap((item) => requirementsOf(item, leaf));
    case "or": {
      const each = node.items.map((item) => requirementsOf(item, leaf));
      if (each.some((required) => required.length === 0)) return [];
      return [each.flatMap((required) => required[0] as T[])];
    }
    case "not":
      return [];
    default:
      return leaf(node);
  }
}

/** The compiled form of a `TraceQuery.q`, or undefined when it is blank; throws QueryError (a 400). */
export function compileTraceQuery<S extends QueryableSpan>(
  q: string | undefined,
  searchText: (span: S) => string,
  options: SpanQueryOptions = {},
): CompiledSpanQuery<S> | undefined {
  const node = q === undefined ? undefined : parseQuery(q);
  return node === undefined ? undefined : compileSpanQuery(node, searchText, options);
}
