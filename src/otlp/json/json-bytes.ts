/**
 * A cursor over a JSON text as received (UTF-8 bytes), for readers that build their own objects
 * straight from the bytes instead of from JSON.parse's tree (see direct-traces.ts).
 *
 * It reads exactly what JSON.parse would read, or gives up: anything it does not read the same way
 * (invalid JSON, a key spelled with escapes, NaN tokens, a byte-order mark, nesting past its bound)
 * throws `NOT_DIRECT`, and the caller decodes the body the general way, which also words the error.
 */
import { Buffer } from "node:buffer";
import { NestedBytes } from "../attributes.js";
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from "../limits.js";
import { asUint64, int64Value } from "./common.js";

/** Thrown (one instance, no stack to capture) when a body is not read here; see the module comment. */
export const NOT_DIRECT: Error = Object.freeze(new Error("not read directly"));

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** Unknown values nested deeper than this are left to JSON.parse. */
const MAX_SKIP_DEPTH = 64;

/** Bytes kept per cache slot for comparing: most recurring values (keys, routes, ids) fit. */
const ARENA_SLOT = 64;

/** Longer strings are not looked up in the cache: rarely repeated, and comparing costs their length. */
const MAX_CACHED_LENGTH = 1_024;

/**
 * One string object per distinct value, looked up by the bytes before any string is made: a value
 * that recurs (an attribute key, a route, a SQL statement, a trace id shared by the spans of a
 * request) costs a hash and a comparison, not an allocation, and every span that stores it shares one
 * copy. Direct-mapped: a miss overwrites the slot, so a flood of distinct values costs nothing more.
 */
export class ByteStringCache {
  private readonly strings: (string | undefined)[];
  /**
   * The bytes of each slot's string while it is short (up to ARENA_SLOT bytes), at the slot's place in
   * one array: compared faster than characters, and kept without an object per string.
   */
  private readonly arena: Uint8Array;
  private readonly hashes: Int32Array;
  private readonly mask: number;

  constructor(size: number) {
    this.strings = new Array<string | undefined>(size).fill(undefined);
    this.arena = new Uint8Array(size * ARENA_SLOT);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The string of ASCII `bytes[start, end)` (not empty). */
  get(bytes: Uint8Array, text: Latin1Text, start: number, end: number): string {
    const hash = sampleHash(bytes, start, end);
    const slot = hash & this.mask;
    const seen = this.strings[slot];
    const length = end - start;
    if (seen !== undefined && this.hashes[slot] === hash && seen.length === length) {
      let k = 0;
      if (length <= ARENA_SLOT) {
        const arena = this.arena;
        const at = slot * ARENA_SLOT;
        while (k < length && arena[at + k] === bytes[start + k]) k++;
      } else {
        while (k < length && seen.charCodeAt(k) === bytes[start + k]) k++;
      }
      if (k === length) return seen;
    }
    const made = text.latin1Slice(start, end);
    this.strings[slot] = made;
    this.hashes[slot] = hash;
    if (length <= ARENA_SLOT) this.arena.set(bytes.subarray(start, end), slot * ARENA_SLOT);
    return made;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** Node's Buffer has a one-byte slice-to-string without `toString`'s argument handling (untyped). */
export type Latin1Text = Buffer & { latin1Slice(start: number, end: number): string };

/**
 * The slot hash of `bytes[start, end)` (at least one byte): its length and five of its bytes, not all
 * of them. Strings that differ only elsewhere share a slot and take turns in it; a hit is always
 * checked byte for byte.
 */
function sampleHash(bytes: Uint8Array, start: number, end: number): number {
  const n = end - start;
  return (
    Math.imul(n, 0x9e3779b1) ^
    Math.imul(bytes[start] as number, 31) ^
    Math.imul(bytes[start + (n >> 1)] as number, 131) ^
    Math.imul(bytes[end - 1] as number, 1031) ^
    Math.imul(bytes[start + ((n * 3) >> 2)] as number, 8191) ^
    Math.imul(bytes[start + (n >> 2)] as number, 65599)
  );
}

/**
 * Bytes a string scan stops at: 1 for the closing quote, 2 for a backslash, 3 for a control
 * character (not allowed in a JSON string), 4 for the first byte of a multi-byte UTF-8 sequence.
 */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 3;
for (let c = 0x80; c < 0x100; c++) STRING_STOP[c] = 4;
STRING_STOP[0x22] = 1;
STRING_STOP[0x5c] = 2;

/** 10^0 … 10^15, each exact in a double. */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, n) => 10 ** n);

/** The value of the decimal digits `bytes[start, end)` (at most 15: exact in a double). */
function digitsValue(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + ((bytes[i] as number) - ZERO);
  return value;
}

/** What `readScalar` returns: a JSON scalar as JSON.parse gives it. */
export type JsonScalar = string | number | boolean | null;

export class JsonBytes {
  pos = 0;
  /**
   * Entries (array items, kvlist entries) read of the attribute value being read, and entries dropped
   * past MAX_ENTRIES_PER_VALUE so far (the trace readers use them).
   */
  valueEntries = 0;
  entriesDropped = 0;
  /**
   * Values read of the span, resource or scope being read (MAX_VALUES_PER_ITEM): the direct reader
   * steps over and counts what is past the bound, the import's transcoder leaves such an item to the
   * general path.
   */
  itemValues = 0;
  /** Whether the attribute value being read (at nesting 1) is an AnyValue read as its bytes member. */
  valueWasBytes = false;
  /** The bytes values met inside the attribute value being read (in its lists and maps). */
  readonly nested = new NestedBytes();
  /**
   * How far a reader that reads in one go may read before it stops and leaves the rest to one that
   * reads in steps (the direct trace reader's large bodies, span by span); no bound by default.
   */
  readTo = Number.POSITIVE_INFINITY;
  /** The place `setMark` saved, for `backToMark`. */
  private markPos = 0;
  private markDepth = 0;
  private markContainers = 0;
  private markEntriesDropped = 0;
  private readonly text: Latin1Text;
  private readonly end: number;
  /**
   * The nesting here and the objects and arrays opened so far. A body past the request limits' bounds
   * on them is not read here: a large body read the general way is refused for it (json/scan.ts).
   */
  private depth = 0;
  private containers = 0;
  private readonly maxDepth: number;
  private readonly maxContainers: number;
  /** The leading digits (all but the last nine) of the last long time read, and their value × 10⁹. */
  private lastSeconds = -1;
  private lastSecondsNanos = 0n;

  constructor(
    readonly bytes: Uint8Array,
    limits: Pick<RequestLimits, "maxJsonDepth" | "maxValues"> = DEFAULT_REQUEST_LIMITS,
  ) {
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Latin1Text;
    this.end = bytes.length;
    this.maxDepth = limits.maxJsonDepth;
    this.maxContainers = limits.maxValues;
  }

  /** Saves the cursor's place (and what it has counted) for `backToMark`. */
  setMark(): void {
    this.markPos = this.pos;
    this.markDepth = this.depth;
    this.markContainers = this.containers;
    this.markEntriesDropped = this.entriesDropped;
  }

  /** Back to the place `setMark` saved, as if nothing after it had been read. */
  backToMark(): void {
    this.pos = this.markPos;
    this.depth = this.markDepth;
    this.containers = this.markContainers;
    this.entriesDropped = this.markEntriesDropped;
  }

  /** Steps into the object or array whose opening byte is at `pos`. */
  private enter(): void {
    if (++this.depth > this.maxDepth || ++this.containers > this.maxContainers) throw NOT_DIRECT;
    this.pos++;
  }

  /** Objects and arrays opened so far: what a reader that replays a value read before counts (`stepOver`). */
  get opened(): number {
    return this.containers;
  }

  /**
   * Steps over `length` bytes that are a value already read once at this nesting (the same bytes),
   * counting the `opened` objects and arrays in it as reading it again would.
   */
  stepOver(length: number, opened: number): void {
    this.containers += opened;
    if (this.containers > this.maxContainers) throw NOT_DIRECT;
    this.pos += length;
  }

  /** Skips whitespace; the byte there (-1 at the end). */
  peek(): number {
    const b = this.bytes;
    let i = this.pos;
    while (i < this.end) {
      const c = b[i] as number;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        this.pos = i;
        return c;
      }
      i++;
    }
    this.pos = i;
    return -1;
  }

  /** Nothing but whitespace is left. */
  atEnd(): boolean {
    return this.peek() === -1;
  }

  /** At `{`: steps in. Anything else is not read here. */
  openObject(): void {
    if (this.peek() !== OPEN_BRACE) throw NOT_DIRECT;
    this.enter();
  }

  /** At `[`: steps in. */
  openArray(): void {
    if (this.peek() !== OPEN_BRACKET) throw NOT_DIRECT;
    this.enter();
  }

  /**
   * Inside an object: reads the next member's key and its colon, and returns its index in `keys`
   * (-1 for any other key), or -2 once the object's `}` is passed. `first` is true for the first call
   * after `openObject`. A key with escapes is not read here.
   */
  nextKey(keys: KeySet, first: boolean): number {
    let c = this.peek();
    if (c === CLOSE_BRACE) {
      this.pos++;
      this.depth--;
      return -2;
    }
    if (!first) {
      if (c !== COMMA) throw NOT_DIRECT;
      this.pos++;
      c = this.peek();
    }
    if (c !== QUOTE) throw NOT_DIRECT;
    const b = this.bytes;
    const start = this.pos + 1;
    // Encoders write an object's fields in one order: the key that followed last time is compared
    // first, which spares the scan and the lookup.
    const guess = keys.guess(first);
    if (guess >= 0) {
      const name = keys.bytesOf(guess);
      const length = name.length;
      if (b[start + length] === QUOTE) {
        let k = 0;
        while (k < length && name[k] === b[start + k]) k++;
        if (k === length) {
          this.pos = start + length + 1;
          if (this.peek() !== COLON) throw NOT_DIRECT;
          this.pos++;
          return keys.found(first, guess);
        }
      }
    }
    let i = start;
    for (;;) {
      if (i >= this.end) throw NOT_DIRECT;
      const stop = STRING_STOP[b[i] as number] as number;
      if (stop === 0) {
        i++;
        continue;
      }
      if (stop === 1) break;
      // A key with escapes or other than ASCII is none of the keys this reader knows: unknown, or
      // a known one spelled with escapes, which only JSON.parse reads right.
      throw NOT_DIRECT;
    }
    this.pos = i + 1;
    if (this.peek() !== COLON) throw NOT_DIRECT;
    this.pos++;
    return keys.found(first, i === start ? -1 : keys.find(b, start, i));
  }

  /**
   * Inside an array: true when another element follows (its comma passed), false once the `]` is
   * passed. `first` is true for the first call after `openArray`.
   */
  nextElement(first: boolean): boolean {
    const c = this.peek();
    if (c === CLOSE_BRACKET) {
      this.pos++;
      this.depth--;
      return false;
    }
    if (!first) {
      if (c !== COMMA) throw NOT_DIRECT;
      this.pos++;
    }
    return true;
  }

  /** At `null`: steps over it and returns true; false (nothing read) at any other value. */
  skipNull(): boolean {
    if (this.peek() !== 0x6e) return false;
    this.literal("null");
    return true;
  }

  /**
   * A string value (JSON.parse's string), or null for `null`. Other values are not read here.
   * ASCII strings without escapes come from `cache` when one is given.
   */
  readString(cache: ByteStringCache | null): string | null {
    const c = this.peek();
    if (c !== QUOTE) {
      if (c === 0x6e) {
        this.literal("null");
        return null;
      }
      throw NOT_DIRECT;
    }
    return this.stringAt(cache);
  }

  /** A string, number, boolean or null, as JSON.parse gives it. Objects and arrays are not read here. */
  readScalar(): JsonScalar {
    const c = this.peek();
    if (c === QUOTE) return this.stringAt(null);
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number();
    if (c === 0x74) {
      this.literal("true");
      return true;
    }
    if (c === 0x66) {
      this.literal("false");
      return false;
    }
    if (c === 0x6e) {
      this.literal("null");
      return null;
    }
    throw NOT_DIRECT;
  }

  /** Steps over any value, checking it as JSON.parse would. */
  skipValue(): void {
    this.skipAt(0);
  }

  private skipAt(depth: number): void {
    const c = this.peek();
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth >= MAX_SKIP_DEPTH) throw NOT_DIRECT;
      this.enter();
      const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      if (this.peek() === close) {
        this.pos++;
        this.depth--;
        return;
      }
      for (;;) {
        if (c === OPEN_BRACE) {
          if (this.peek() !== QUOTE) throw NOT_DIRECT;
          this.skipString();
          if (this.peek() !== COLON) throw NOT_DIRECT;
          this.pos++;
        }
        this.skipAt(depth + 1);
        const next = this.peek();
        this.pos++;
        if (next === close) {
          this.depth--;
          return;
        }
        if (next !== COMMA) throw NOT_DIRECT;
      }
    }
    if (c === QUOTE) this.skipString();
    else this.readScalar();
  }

  private skipString(): void {
    const b = this.bytes;
    let i = this.pos + 1;
    for (;;) {
      if (i >= this.end) throw NOT_DIRECT;
      const k = b[i] as number;
      if (k === QUOTE) break;
      if (k < 0x20) throw NOT_DIRECT;
      if (k === BACKSLASH) i = this.escapeEnd(i);
      else i++;
    }
    this.pos = i + 1;
  }

  /** The index after the escape sequence at `i` (a backslash), which must be one JSON allows. */
  private escapeEnd(i: number): number {
    const e = this.bytes[i + 1];
    if (
      e === QUOTE ||
      e === BACKSLASH ||
      e === 0x2f ||
      e === 0x62 ||
      e === 0x66 ||
      e === 0x6e ||
      e === 0x72 ||
      e === 0x74
    ) {
      return i + 2;
    }
    if (e !== 0x75) throw NOT_DIRECT;
    for (let k = i + 2; k < i + 6; k++) {
      const h = this.bytes[k] ?? 0;
      const hex = (h >= ZERO && h <= NINE) || (h >= 0x61 && h <= 0x66) || (h >= 0x41 && h <= 0x46);
      if (!hex) throw NOT_DIRECT;
    }
    return i + 6;
  }

  /** The string whose opening quote is at `pos`. */
  private stringAt(cache: ByteStringCache | null): string {
    const b = this.bytes;
    const start = this.pos + 1;
    let i = start;
    let escaped = false;
    let ascii = true;
    for (;;) {
      if (i >= this.end) throw NOT_DIRECT;
      const stop = STRING_STOP[b[i] as number] as number;
      if (stop === 0) {
        i++;
      } else if (stop === 1) {
        break;
      } else if (stop === 2) {
        i = this.escapeEnd(i);
        escaped = true;
      } else if (stop === 4) {
        ascii = false;
        i++;
      } else {
        throw NOT_DIRECT;
      }
    }
    this.pos = i + 1;
    if (escaped) {
      // The escapes are checked above; JSON.parse of the literal reads them as it would in the body.
      const literal = ascii ? this.text.latin1Slice(start - 1, i + 1) : utf8.decode(b.subarray(start - 1, i + 1));
      return JSON.parse(literal) as string;
    }
    if (!ascii) return utf8.decode(b.subarray(start, i));
    if (i === start) return "";
    if (cache !== null && i - start <= MAX_CACHED_LENGTH) return cache.get(b, this.text, start, i);
    return this.text.latin1Slice(start, i);
  }

  /**
   * A uint64 field (a time) as `asUint64` reads it: a string of up to 19 digits is read here, straight
   * from its bytes; anything else through `asUint64`.
   */
  readUint64(name: string): bigint {
    const b = this.bytes;
    if (this.peek() === QUOTE) {
      const start = this.pos + 1;
      let i = start;
      while (i < this.end && (b[i] as number) >= ZERO && (b[i] as number) <= NINE) i++;
      const digits = i - start;
      if (b[i] === QUOTE && digits > 0 && digits <= 19) {
        this.pos = i + 1;
        if (digits <= 15) return BigInt(digitsValue(b, start, i));
        const split = i - 9;
        const seconds = digitsValue(b, start, split);
        // The times of a request fall within a few seconds: the scaled seconds are made once for them.
        if (seconds !== this.lastSeconds) {
          this.lastSeconds = seconds;
          this.lastSecondsNanos = BigInt(seconds) * 1_000_000_000n;
        }
        return this.lastSecondsNanos + BigInt(digitsValue(b, split, i));
      }
    }
    return asUint64(this.readLongInteger() ?? this.readScalar(), name);
  }

  /** An AnyValue `intValue` as `int64Value` reads it: a string or number of up to 15 digits read here. */
  readInt64(): number | string {
    const b = this.bytes;
    const c = this.peek();
    if (c === QUOTE) {
      const start = this.pos + 1;
      const negative = b[start] === MINUS;
      let i = negative ? start + 1 : start;
      const from = i;
      while (i < this.end && (b[i] as number) >= ZERO && (b[i] as number) <= NINE) i++;
      const digits = i - from;
      if (b[i] === QUOTE && digits > 0 && digits <= 15) {
        this.pos = i + 1;
        const value = digitsValue(b, from, i);
        // + 0 turns -0 into 0, as int64Value does.
        return negative ? -value + 0 : value;
      }
    }
    return int64Value(this.readLongInteger() ?? this.readScalar());
  }

  /**
   * An integer literal of 16 to 20 digits (no fraction or exponent) as its text, or null (nothing read):
   * what the general path's JSON.parse gives for it (`quoteLongIntegers`), so that no 64-bit integer
   * sent as a number is rounded to a double.
   */
  private readLongInteger(): string | null {
    const b = this.bytes;
    const start = this.pos;
    const first = b[start] === MINUS ? start + 1 : start;
    if (b[first] === ZERO) return null;
    let i = first;
    while (i < this.end && (b[i] as number) >= ZERO && (b[i] as number) <= NINE) i++;
    const digits = i - first;
    const k = b[i];
    if (digits < 16 || digits > 20 || k === 0x2e || k === 0x65 || k === 0x45) return null;
    this.pos = i;
    return this.text.latin1Slice(start, i);
  }

  /** A number in JSON's grammar, as JSON.parse reads it (`Number` of the same text rounds the same way). */
  private number(): number {
    const b = this.bytes;
    const start = this.pos;
    let i = start;
    if (b[i] === MINUS) i++;
    const firstDigit = i;
    let value = 0;
    while (i < this.end) {
      const k = b[i] as number;
      if (k < ZERO || k > NINE) break;
      value = value * 10 + (k - ZERO);
      i++;
    }
    const digits = i - firstDigit;
    if (digits === 0 || (digits > 1 && b[firstDigit] === ZERO)) throw NOT_DIRECT;
    const k = b[i];
    if (k !== 0x2e && k !== 0x65 && k !== 0x45 && digits <= 15) {
      // Integers of up to 15 digits are exact as accumulated.
      this.pos = i;
      return b[start] === MINUS ? -value : value;
    }
    if (k === 0x2e) {
      i++;
      const from = i;
      while (i < this.end && (b[i] as number) >= ZERO && (b[i] as number) <= NINE) {
        value = value * 10 + ((b[i] as number) - ZERO);
        i++;
      }
      if (i === from) throw NOT_DIRECT;
      const e = b[i];
      if (e !== 0x65 && e !== 0x45 && digits + (i - from) <= 15) {
        // All digits make an integer below 2^53 and 10^n is exact: one division rounds correctly,
        // as reading the text does.
        this.pos = i;
        const decimal = value / (POWERS_OF_TEN[i - from] as number);
        return b[start] === MINUS ? -decimal : decimal;
      }
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === MINUS) i++;
      const from = i;
      while (i < this.end && (b[i] as number) >= ZERO && (b[i] as number) <= NINE) i++;
      if (i === from) throw NOT_DIRECT;
    }
    this.pos = i;
    return Number(this.text.latin1Slice(start, i));
  }

  private literal(word: "null" | "true" | "false"): void {
    const b = this.bytes;
    for (let k = 0; k < word.length; k++) {
      if (b[this.pos + k] !== word.charCodeAt(k)) throw NOT_DIRECT;
    }
    this.pos += word.length;
  }
}

/**
 * The keys an object reader knows, found by their bytes without making a string. Keys hash to a
 * small table; a hit is checked byte for byte.
 */
export class KeySet {
  /** The key read last in an object of this set (-1: unknown), and the key that followed each: [start, unknown, keys…]. */
  private last = -1;
  private readonly follows: Int32Array;
  private readonly slots: Int32Array;
  private readonly hashes: Int32Array;
  private readonly mask: number;

  private readonly names: readonly Uint8Array[];

  constructor(names: readonly string[]) {
    this.names = names.map((name) => Buffer.from(name, "latin1"));
    this.follows = new Int32Array(names.length + 2).fill(-1);
    let size = 16;
    while (size < names.length * 4) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size).fill(-1);
    this.hashes = new Int32Array(size);
    names.forEach((name, index) => {
      const hash = sampleHash(this.names[index] as Uint8Array, 0, name.length);
      let slot = hash & this.mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & this.mask;
      this.slots[slot] = index;
      this.hashes[slot] = hash;
    });
  }

  /** The key likely to come next: the one that followed the previous key (or began the object) last time, or -1. */
  guess(first: boolean): number {
    return this.follows[first ? 0 : this.last + 2] as number;
  }

  bytesOf(index: number): Uint8Array {
    return this.names[index] as Uint8Array;
  }

  /** Notes that `index` (-1: an unknown key) came next; returns it. */
  found(first: boolean, index: number): number {
    this.follows[first ? 0 : this.last + 2] = index;
    this.last = index;
    return index;
  }

  /** The index of the key `bytes[start, end)` (not empty), or -1. */
  find(bytes: Uint8Array, start: number, end: number): number {
    const hash = sampleHash(bytes, start, end);
    let slot = hash & this.mask;
    for (;;) {
      const index = this.slots[slot] as number;
      if (index === -1) return -1;
      if (this.hashes[slot] === hash) {
        const name = this.names[index] as Uint8Array;
        const length = name.length;
        if (length === end - start) {
          let k = 0;
          while (k < length && name[k] === bytes[start + k]) k++;
          if (k === length) return index;
        }
      }
      slot = (slot + 1) & this.mask;
    }
  }
}
