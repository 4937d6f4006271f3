import { type PathRead, pathKeysOf, pathReadsOf, testPathsIn } from "../domain/attribute-paths.js";
import {
  type LogRecord,
  logContainsText,
  type StoredLog,
  severityFromText,
  severityOf,
  severityRank,
  textMatcher,
} from "../domain/log.js";
import { eventNameOf } from "../domain/log-event.js";
import { BODY_KEY, LEVEL_KEYS, parseQuery, type QueryNode } from "../domain/query.js";
import { type AliasRead, aliasReadsOf } from "../domain/semconv-aliases.js";
import type { AttrValue, InstrumentationScope } from "../domain/span.js";
import { compareLogPositions, decodeLogCursor, encodeLogCursor } from "./log-cursor.js";
import type { LogPage, LogQuery } from "./log-store.js";
import {
  attributeTermTest,
  compareOrdered,
  fieldTermTest,
  present,
  queryTest,
  requirementsOf,
  scopeTermTest,
  testIn,
} from "./span-query.js";

/** A query's filters, prepared once per query and checked per record by both log stores. */
export interface LogFilter {
  matches(record: LogRecord): boolean;
  /**
   * Text that every matching record holds (any case) in its body or attribute values or keys, when
   * the query requires one: a store may pass over records without it before reading them whole.
   */
  needle: string | undefined;
  /** What every matching record requires of its instrumentation scope, when the query requires something. */
  scopes: ScopeNeed | undefined;
}

/**
 * A scope requirement: every matching record's scope passes `allows`, or the record (or its resource)
 * has an attribute of one of `keys` (`otel.scope.name=x` also finds a record that carries an
 * attribute of that name), or the record holds one of `texts` as requiredNeedle's text (a branch of an OR).
 */
export interface ScopeNeed {
  allows(scope: InstrumentationScope): boolean;
  keys: string[];
  texts: string[];
}

/** Throws QueryError (a 400) for a query that does not parse or uses a term logs do not have. */
export function logFilter(query: LogQuery): LogFilter {
  const { service, traceId, spanId, sinceUnixNano, untilUnixNano } = query;
  const minRank = query.minSeverity === undefined ? 0 : severityRank(query.minSeverity);
  const source = query.q ?? "";
  const node = parseQuery(source, "logs");
  const test = node === undefined ? undefined : queryTest<LogRecord>(node, logTermTest);
  return {
    needle: node === undefined ? undefined : requiredNeedle(node),
    scopes: node === undefined ? undefined : requiredScopes(node),
    matches(record) {
      if (service !== undefined && record.service !== service) return false;
      if (traceId !== undefined && record.traceId !== traceId) return false;
      if (spanId !== undefined && record.spanId !== spanId) return false;
      if (sinceUnixNano !== undefined && record.timeUnixNano < sinceUnixNano) return false;
      if (untilUnixNano !== undefined && record.timeUnixNano > untilUnixNano) return false;
      if (minRank > 0 && severityRank(record.severity) < minRank) return false;
      return test === undefined || test(record);
    },
  };
}

type LogTest = (record: LogRecord) => boolean;

/**
 * Keys that name the record's own trace or span id (as OTLP/JSON and most loggers spell them): a
 * pasted id finds the record whether it carries the id as its field or as an attribute.
 */
const ID_KEYS: Readonly<Record<string, (record: LogRecord) => string | null>> = {
  trace_id: (record) => record.traceId,
  traceId: (record) => record.traceId,
  span_id: (record) => record.spanId,
  spanId: (record) => record.spanId,
};

/**
 * Whether some value of the key (or an alias) in the record's or its resource's attributes passes
 * `test`; failing that, for a dotted key, a value inside a map attribute at one of its `paths`
 * (`user.id` in winston's `user: { id: 5 }`, `app.customer.tier` in `app.customer: { tier: "gold" }`,
 * see domain/attribute-paths.ts).
 */
function someLogValue(
  record: LogRecord,
  reads: readonly AliasRead[],
  paths: readonly PathRead[],
  test: (value: AttrValue) => boolean,
): boolean {
  for (const read of reads) {
    if (testIn(record.attributes, read, test)) return true;
    if (testIn(record.resource, read, test)) return true;
  }
  if (paths.length === 0) return false;
  return testPathsIn(record.attributes, paths, test) || testPathsIn(record.resource, paths, test);
}

/** A key of the record's own attributes, or one of its aliases (what a bare word also matches). */
function hasOwnKey(record: LogRecord, reads: readonly AliasRead[]): boolean {
  for (const read of reads) if (testIn(record.attributes, read, present)) return true;
  return false;
}

/**
 * The trace list's query language (domain/query.ts) read for log records: text is looked for in the
 * body (its keys too) and attribute values (a bare word also matches an attribute key); `key op value` in the
 * record's and its resource's attributes; `severity` (or `level`) compares levels (`severity>=warn`);
 * `body` is the record's body; `service` its service and `name` an event's name; `otel.scope.name` and
 * `otel.scope.version` (`otel.library.*`) its instrumentation scope's (its logger's); `@key` and a
 * quoted key only ever the attribute. Span terms (`status`, `kind`, `duration`) are refused with what to
 * write instead.
 */
function logTermTest(node: QueryNode): LogTest {
  switch (node.type) {
    case "text": {
      const matches = textMatcher(node.text);
      const id = pastedId(node.text);
      if (id !== undefined)
        return (record) => record.traceId === id || record.spanId === id || logContainsText(record, matches);
      if (!node.alsoKey) return (record) => logContainsText(record, matches);
      const reads = aliasReadsOf(node.text);
      return (record) => logContainsText(record, matches) || hasOwnKey(record, reads);
    }
    case "exists": {
      if (LEVEL_KEYS.has(node.key) || node.key === BODY_KEY) return () => true;
      const reads = aliasReadsOf(node.key);
      const paths = pathReadsOf(node.key);
      return (record) => someLogValue(record, reads, paths, present);
    }
    case "attribute": {
      const reads = aliasReadsOf(node.key);
      const paths = pathReadsOf(node.key);
      const some = (record: LogRecord, test: (value: AttrValue) => boolean) => someLogValue(record, reads, paths, test);
      if (node.attributeOnly) return attributeTermTest<LogRecord>(node, some);
      if (LEVEL_KEYS.has(node.key)) return levelTest(node);
      if (node.key === BODY_KEY) return attributeTermTest<LogRecord>(node, (record, test) => test(record.body));
      const idOf = Object.hasOwn(ID_KEYS, node.key) ? ID_KEYS[node.key] : undefined;
      if (idOf !== undefined) {
        // Ids are kept in lower-case hex; a pasted id may be upper-case.
        const term = { ...node, value: node.value.toLowerCase() };
        return attributeTermTest<LogRecord>(term, (record, test) => {
          const id = idOf(record);
          return (id !== null && test(id)) || some(record, test);
        });
      }
      return attributeTermTest<LogRecord>(node, some);
    }
    case "scope":
      return scopeTermTest<LogRecord>(node, (record) => record.scope);
    case "field":
      return fieldTermTest<LogRecord>(
        node,
        node.field === "service" ? (record) => record.service : (record) => eventNameOf(record) ?? "",
      );
    default:
      // Span terms (status, kind, duration): the parser refuses them in a log query; AND, OR and NOT
      // are queryTest's.
      return () => false;
  }
}

/**
 * A trace id (32 hex digits) or span id (16) searched for as text, lower-cased as ids are kept: it
 * also finds the records written in that trace or span, whose text need not hold it.
 */
function pastedId(text: string): string | undefined {
  return /^(?:[0-9a-f]{32}|[0-9a-f]{16})$/i.test(text) ? text.toLowerCase() : undefined;
}

/** `severity>=warn`, `level=error`: the record's level against a level name or a severity number (1–24). */
function levelTest(node: Extract<QueryNode, { type: "attribute" }>): LogTest {
  const level = node.number !== null ? severityOf(node.number, "") : severityFromText(node.value);
  const bound = severityRank(level ?? "UNSPECIFIED");
  // The parser refuses `~` with a level; the check only narrows the type.
  const op = node.op === "~" ? "=" : node.op;
  return (record) => compareOrdered(severityRank(record.severity), op, bound);
}

/**
 * The longest text that every record the query matches holds verbatim (any case) in its body, its
 * attribute values or its attribute keys: text terms that must all hold. A bare word counts only
 * when it has no alias (an alias key would not hold its text).
 */
function requiredNeedle(node: QueryNode): string | undefined {
  const required = requirementsOf<string>(node, (term) => {
    const text = heldText(term);
    return text === undefined ? [] : [[text]];
  });
  let longest: string | undefined;
  for (const choices of required) {
    const only = choices.length === 1 ? choices[0] : undefined;
    if (only !== undefined && (longest === undefined || only.length > longest.length)) longest = only;
  }
  return longest;
}

/**
 * The text a text term's every match holds verbatim (any case) in its body, attribute values or keys
 * (see requiredNeedle), or undefined.
 */
function heldText(term: QueryNode): string | undefined {
  // A pasted id also finds records by their own trace or span id, which their text need not hold.
  if (term.type !== "text" || term.text.trim() === "" || pastedId(term.text) !== undefined) return undefined;
  if (term.alsoKey && aliasReadsOf(term.text).some((read) => read.key !== term.text)) return undefined;
  return term.text;
}

type ScopeChoice = { scope: (scope: InstrumentationScope) => boolean } | { key: string } | { text: string };

/**
 * What every record the query matches requires of its scope (see ScopeNeed), from the requirements
 * that name a scope: each holds through the scope, one of its attribute keys or one of its texts, so
 * a record with none of those keys and texts holds them all through its scope.
 */
function requiredScopes(node: QueryNode): ScopeNeed | undefined {
  const required = requirementsOf<ScopeChoice>(node, (term) => {
    if (term.type === "scope") {
      const test = scopeTermTest<InstrumentationScope>(term, (scope) => scope);
      return [[{ scope: test }]];
    }
    const text = heldText(term);
    if (text !== undefined) return [[{ text }]];
    // A record has every attribute term's key (or an alias) in its own or its resource's attributes,
    // but for keys that read something else (its level, its body, its own trace or span id).
    if (term.type !== "attribute" && term.type !== "exists") return [];
    const readsOther = LEVEL_KEYS.has(term.key) || term.key === BODY_KEY || Object.hasOwn(ID_KEYS, term.key);
    if (readsOther && !(term.type === "attribute" && term.attributeOnly)) return [];
    // A dotted key also reads into a map under each of its leading parts (`app.customer`, `app` for `app.customer.tier`).
    const keys = [...aliasReadsOf(term.key).map((read) => read.key), ...pathKeysOf(term.key)].map((key) => ({ key }));
    return [keys];
  });
  const tests: ((scope: InstrumentationScope) => boolean)[][] = [];
  const keys = new Set<string>();
  const texts = new Set<string>();
  for (const choices of required) {
    const scopeTests = choices.flatMap((choice) => ("scope" in choice ? [choice.scope] : []));
    if (scopeTests.length === 0) continue;
    tests.push(scopeTests);
    for (const choice of choices) {
      if ("key" in choice) keys.add(choice.key);
      else if ("text" in choice) texts.add(choice.text);
    }
  }
  if (tests.length === 0) return undefined;
  return {
    allows: (scope) => tests.every((oneOf) => oneOf.some((test) => test(scope))),
    keys: [...keys],
    texts: [...texts],
  };
}

/** Collects one page of matching records in order, and knows whether another page follows. */
export class LogPageBuilder {
  private readonly logs: StoredLog[] = [];
  private more = false;
  /** Matches past the page while counting (`countBound` > 0), and whether the matches passed the bound. */
  private matchedPast = 0;
  private countCut = false;

  /**
   * `countBound`: the most matches counted in all, page included, whatever the limit (0: no count; reading
   * stops at the first match past the page, which proves a next page).
   */
  constructor(
    private readonly limit: number,
    private readonly countBound = 0,
  ) {}

  /** Adds a matching record; false once no more need reading (the page is full, proved to have a next one, and counted). */
  offer(log: StoredLog): boolean {
    if (this.logs.length < this.limit) {
      this.logs.push(log);
      return true;
    }
    this.more = true;
    if (this.countBound === 0) return false;
    if (this.logs.length + ++this.matchedPast <= this.countBound) return true;
    this.countCut = true;
    return false;
  }

  page(): LogPage {
    const page: LogPage = { logs: this.logs };
    if (this.countBound > 0 && !this.countCut) page.matched = this.logs.length + this.matchedPast;
    const last = this.logs[this.logs.length - 1];
    if (this.more && last !== undefined) {
      page.nextCursor = encodeLogCursor({ timeUnixNano: last.record.timeUnixNano, seq: last.seq });
    }
    return page;
  }
}

/**
 * A page of one trace's records (all of them at hand, in any order): those the filter and the cursor
 * let through, in the query's order.
 */
export function traceLogPage(logs: StoredLog[], query: LogQuery, filter: LogFilter): LogPage {
  const cursor = query.cursor === undefined ? undefined : decodeLogCursor(query.cursor);
  const sign = query.order === "desc" ? -1 : 1;
  const builder = new LogPageBuilder(query.limit);
  const matching = logs.filter((log) => filter.matches(log.record));
  const sorted = matching
    .filter(
      (log) =>
        cursor === undefined ||
        sign * compareLogPositions(log.record.timeUnixNano, log.seq, cursor.timeUnixNano, cursor.seq) > 0,
    )
    .sort((a, b) => sign * compareLogPositions(a.record.timeUnixNano, a.seq, b.record.timeUnixNano, b.seq));
  for (const log of sorted) if (!builder.offer(log)) break;
  return { ...builder.page(), matched: matching.length };
}
