import { pathKeysOf } from "../domain/attribute-paths.js";
import { numberOfText, type QueryNode } from "../domain/query.js";
import { aliasReadsOf } from "../domain/semconv-aliases.js";
import type { Attributes, AttrValue } from "../domain/span.js";
import { type QueryableSpan, requirementsOf } from "./span-query.js";

/**
 * A small Bloom filter per trace over its attribute keys and `key=value` pairs, so a query for a
 * rare value passes over a trace after a few bit tests instead of reading all its spans. Built the
 * first time a query needs it and rebuilt when the trace has gained spans; or, while queries run,
 * kept whole on the write path as spans arrive (see growBloom). 1,024 bits and two probes: a 10-span
 * trace with ~100 distinct tokens lets ~3% of non-matching traces through to the exact check, at 128
 * bytes a trace.
 */
const BLOOM_BITS = 1024;
const BLOOM_WORDS = BLOOM_BITS / 32;
/** Longer values set only their key's token; a query for one tests only the key. */
const MAX_VALUE_LENGTH = 256;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Hashes of recent strings. Decoded spans share one string per repeated key and value, and a Map
 * finds a string it has seen by the hash the engine keeps in it, so most tokens cost a lookup, not a
 * pass over their characters. Bounded: cleared when it passes `STRING_CACHE_LIMIT` entries.
 */
const STRING_CACHE_LIMIT = 200_000;
let stringHashes = new Map<string, number>();

function stringHash(text: string): number {
  let h = stringHashes.get(text);
  if (h === undefined) {
    if (stringHashes.size >= STRING_CACHE_LIMIT) stringHashes = new Map();
    h = fnv1a(text);
    stringHashes.set(text, h);
  }
  return h;
}

/** The token of a key, or of `key=value`: FNV-1a of each, mixed. */
export function tokenHash(key: string, value?: string): number {
  const k = stringHash(key);
  if (value === undefined) return k;
  return pairHash(k, stringHash(value));
}

/** The token of `key=value` from the hashes of each. */
function pairHash(keyHash: number, valueHash: number): number {
  return (Math.imul(keyHash ^ 0x5bd1e995, 0x01000193) ^ Math.imul(valueHash, 0x9e3779b1)) >>> 0;
}

/**
 * Hashes of the text of recent numbers (`String(value)`, as span-query.ts compares them), by number:
 * a number's text is a new string each time, which the string cache would hash in full and then
 * keep. Bounded as it is.
 */
let numberHashes = new Map<number, number>();

function numberHash(value: number): number {
  let h = numberHashes.get(value);
  if (h === undefined) {
    if (numberHashes.size >= STRING_CACHE_LIMIT) numberHashes = new Map();
    h = fnv1a(String(value));
    numberHashes.set(value, h);
  }
  return h;
}

function secondProbe(h: number): number {
  return (Math.imul(h, 0x9e3779b1) >>> 22) & (BLOOM_BITS - 1);
}

function setToken(bits: Uint32Array, h: number): void {
  const a = h & (BLOOM_BITS - 1);
  const b = secondProbe(h);
  bits[a >>> 5] = (bits[a >>> 5] as number) | (1 << (a & 31));
  bits[b >>> 5] = (bits[b >>> 5] as number) | (1 << (b & 31));
}

function hasToken(bits: Uint32Array, h: number): boolean {
  const a = h & (BLOOM_BITS - 1);
  const b = secondProbe(h);
  return ((bits[a >>> 5] as number) & (1 << (a & 31))) !== 0 && ((bits[b >>> 5] as number) & (1 << (b & 31))) !== 0;
}

/**
 * Whether text is an integer as a number is written (`String(n)`: `"250"`, `"-7"`; not `"0250"`,
 * `"+1"`, `"-0"` or `"2.5e2"`), short enough to be exact: its number's token is its own. A loop over
 * its characters, cheaper than reading it as a number and hashing that, for the many ids and counts
 * sent as text.
 */
function isNumberAsWritten(text: string): boolean {
  const length = text.length;
  let i = text.charCodeAt(0) === 0x2d ? 1 : 0;
  if (length === i || length - i > 15) return false;
  // A leading zero ("0250"), and "-0", which is written "0".
  if (text.charCodeAt(i) === 0x30 && (length - i > 1 || i === 1)) return false;
  for (; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/**
 * Adds the `key=value` tokens of a value (each item of an array, at any depth, as `valueEquals`
 * looks: the decoders bound the depth), from the key's hash and the text the value is compared as
 * (see span-query.ts `valueEquals`), and for numeric text its number's; a long string (unless
 * numeric), null or a map has none.
 */
function addValueTokens(add: (token: number) => void, keyHash: number, value: AttrValue): void {
  if (typeof value === "string") {
    const valueHash = value.length <= MAX_VALUE_LENGTH ? stringHash(value) : -1;
    if (valueHash !== -1) add(pairHash(keyHash, valueHash));
    // Numeric text also equals its number in any form (`"250.0"` for `=250`): its number's token too,
    // unless the text is already the number as written (`"250"`: the same token), the common case.
    const number = isNumberAsWritten(value) ? null : numberOfText(value);
    if (number !== null) {
      const numberToken = numberHash(number);
      if (numberToken !== valueHash) add(pairHash(keyHash, numberToken));
    }
  } else if (typeof value === "number") {
    add(pairHash(keyHash, numberHash(value)));
  } else if (Array.isArray(value)) {
    for (const item of value) addValueTokens(add, keyHash, item);
  } else if (typeof value === "boolean") {
    add(pairHash(keyHash, stringHash(value ? "true" : "false")));
  }
}

function addAttributeTokens(add: (token: number) => void, attributes: Attributes): void {
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    const keyHash = stringHash(key);
    add(keyHash);
    addValueTokens(add, keyHash, attributes[key] as AttrValue);
  }
}

/** Tokens of which, per inner list, one must be in a trace's filter for a span of it to match `node`. */
export function requiredTokens(node: QueryNode): number[][] {
  return requirementsOf(node, termTokens);
}

/** What a single term requires of a trace's filter (see requirementsOf). */
export function termTokens(term: QueryNode): number[][] {
  if (term.type !== "attribute" && term.type !== "exists") return [];
  // A dotted key also reads into a map under each of its leading parts (`app.customer` and `app` for
  // `app.customer.tier`), whose key token a span holding that map has.
  const pathTokens = pathKeysOf(term.key).map((key) => tokenHash(key));
  if (term.type === "exists") return [[...keyTokens(term.key), ...pathTokens]];
  const reads = aliasReadsOf(term.key);
  if (term.op !== "=" || term.value.length > MAX_VALUE_LENGTH) {
    return [[...reads.map((read) => tokenHash(read.key)), ...pathTokens]];
  }
  const texts = [term.value];
  if (term.number !== null && String(term.number) !== term.value) texts.push(String(term.number));
  return [
    [
      ...reads.flatMap((read) =>
        read.adapt !== undefined ? [tokenHash(read.key)] : texts.map((text) => tokenHash(read.key, text)),
      ),
      ...pathTokens,
    ],
  ];
}

/** The tokens of an attribute key and its aliases, one of which a span holding the key has. */
export function keyTokens(key: string): number[] {
  return aliasReadsOf(key).map((read) => tokenHash(read.key));
}

export function bloomAllows(bits: Uint32Array, required: readonly number[][]): boolean {
  for (const anyOf of required) {
    let found = false;
    for (const h of anyOf) {
      if (hasToken(bits, h)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/** One trace's filter and how many spans it was built from (a trace that has more is rebuilt). */
export interface TraceBloom {
  readonly spans: number;
  readonly bits: Uint32Array;
}

/** The filter of a trace's spans; `onToken`, when given, is handed every token as it is set. */
export function buildBloom(spans: Iterable<QueryableSpan>, onToken?: (token: number) => void): GrowingBloom {
  const bloom = emptyBloom();
  const add = tokenSetter(bloom.bits, onToken);
  for (const span of spans) addSpan(bloom, span, add);
  return bloom;
}

/** Sets a token's bits, and hands it to `onToken` when given. */
function tokenSetter(bits: Uint32Array, onToken?: (token: number) => void): (token: number) => void {
  if (onToken === undefined) return (h) => setToken(bits, h);
  return (h) => {
    setToken(bits, h);
    onToken(h);
  };
}

function addSpan(bloom: GrowingBloom, span: QueryableSpan, add: (token: number) => void): void {
  addAttributeTokens(add, span.attributes);
  // Spans of one batch share their resource object.
  if (span.resource !== bloom.lastResource) addAttributeTokens(add, span.resource);
  for (const event of span.events) addAttributeTokens(add, event.attributes);
  bloom.lastResource = span.resource;
  bloom.spans++;
}

/**
 * A trace's filter kept whole as its spans arrive (see growBloom), for a store that builds filters
 * on its write path while queries need them.
 */
export interface GrowingBloom extends TraceBloom {
  spans: number;
  /** The resource whose tokens the last span set (spans of one batch share it). */
  lastResource: Attributes | undefined;
}

export function emptyBloom(): GrowingBloom {
  return { spans: 0, bits: new Uint32Array(BLOOM_WORDS), lastResource: undefined };
}

/**
 * Adds one span's tokens (each also handed to `onToken` when given): the filter is then the one
 * buildBloom makes of its spans so far.
 */
export function growBloom(bloom: GrowingBloom, span: QueryableSpan, onToken?: (token: number) => void): void {
  addSpan(bloom, span, tokenSetter(bloom.bits, onToken));
}
