/**
 * Finds values in a snapshot that still look like secrets, so the Snapshots page shows them masked
 * until the reader asks, and MCP's get_snapshot hands an assistant the same values masked. Redaction is
 * the SDK's job (it scrubs top-level variables with the same families of patterns before sending);
 * this is the second look taken at everything shown: nested values the SDK does not scan, request
 * headers, and snapshots from SDKs with scrubbing turned off. Pure and tested; findSecret never changes
 * a value, it only says what a value looks like; maskSecrets makes a masked copy.
 */

export type SecretKind =
  | "email"
  | "ssn"
  | "credit_card"
  | "phone"
  | "aws_access_key"
  | "aws_secret_key"
  | "bearer_token"
  | "stripe_key"
  | "password"
  | "jwt"
  | "private_key"
  | "api_key"
  | "sensitive_name"
  | "credential_header"
  | "url_credentials"
  | "query_secret";

export interface SecretFinding {
  kind: SecretKind;
  /** What it looks like, for the reader: "a JWT", "an email address". */
  label: string;
}

interface ValuePattern {
  kind: SecretKind;
  label: string;
  pattern: RegExp;
  /** An extra check on the match (e.g. a card number's checksum). */
  accept?(match: string): boolean;
}

/** Luhn's checksum: true for real card numbers, false for most other long digit runs (ids, timestamps). */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * The value families the TraceKit SDKs scrub (their 13 built-in patterns: 12 on values, one on
 * variable names, below), written for this page: a card number must also pass Luhn's check and a
 * phone number needs a separator, so order ids and timestamps are not masked. One more the SDKs
 * lack: a password inside a URL (database connection strings); and credential headers, below.
 */
const VALUE_PATTERNS: ValuePattern[] = [
  {
    kind: "private_key",
    label: "a private key",
    pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/,
  },
  { kind: "jwt", label: "a JWT", pattern: /\beyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/ },
  { kind: "bearer_token", label: "a bearer token", pattern: /\bbearer\s+[\w.~+/=-]{20,}/i },
  { kind: "aws_access_key", label: "an AWS access key", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  {
    kind: "aws_secret_key",
    label: "an AWS secret key",
    pattern: /aws.{0,20}secret.{0,20}[A-Za-z0-9/+=]{40}/i,
  },
  { kind: "stripe_key", label: "a Stripe key", pattern: /\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,}/ },
  {
    kind: "api_key",
    label: "an API key",
    pattern: /(?:api[_-]?key|apikey)["']?\s*[:=]\s*["']?[\w-]{20,}/i,
  },
  {
    kind: "password",
    label: "a password",
    pattern: /(?:password|passwd|pwd)["']?\s*[:=]\s*["']?[^\s"'&;,]{6,}/i,
  },
  { kind: "url_credentials", label: "a password in a URL", pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i },
  { kind: "email", label: "an email address", pattern: /\b[\w.%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/ },
  { kind: "ssn", label: "a US social security number", pattern: /\b\d{3}-\d{2}-\d{4}\b/ },
  {
    kind: "credit_card",
    label: "a card number",
    // 15 to 19 digits starting as card numbers do (2–6): not ids, not ms/µs/ns timestamps (they start with 1).
    pattern: /\b[2-6]\d(?:[ -]?\d){13,17}\b/,
    accept: (match) => passesLuhn(match.replace(/[ -]/g, "")),
  },
  {
    kind: "phone",
    label: "a phone number",
    // 3-3-4 digits, the groups apart by a dot, a dash or a space (`415 555 0100`, `(555) 123-4567`).
    pattern: /(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\)\s?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b/,
  },
  {
    kind: "phone",
    label: "a phone number",
    // International, with its `+`: a country code and two to five groups, 8 to 15 digits (`+44 20 7946 0958`).
    pattern: /\+\d{1,3}(?:[ .-]\d{1,4}){2,5}\b/,
    accept: (match) => {
      const digits = match.replace(/\D/g, "").length;
      return digits >= 8 && digits <= 15;
    },
  },
];

/**
 * A name's words in lower case, however it is written: `accessToken`, `AccessToken`, `access_token`,
 * `ACCESS-TOKEN` and `access.token` all give ["access", "token"]; `APIKey` gives ["api", "key"]. Digits
 * part words too (`oauth2Token` → ["oauth", "token"]).
 */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z]+/)
    .filter((word) => word !== "")
    .map((word) => word.toLowerCase());
}

/**
 * Words that name a secret: the SDKs' list, plus a word ending in one (`dbpassword`, `accesstoken`,
 * `clientsecret`: names written in one lower-case word). Plural `tokens` and `keys` are left out on
 * purpose: `maxTokens`, `promptTokens` count an LLM's tokens and `keys` lists an object's keys.
 */
const SECRET_WORD =
  /^(?:[a-z]*(?:password|passwd|passphrase|secret|token|credential)|pwd|apikey|secretkey|privatekey|accesskey)$/;

/** Plurals that name secrets only as the last word (`secrets`, `db_passwords`; not `secretsManager`). */
const SECRETS_WORD = /^(?:passwords|secrets|credentials)$/;

/**
 * Words before `token` that make it a position or a handle, not a credential: a page token
 * (`nextPageToken`, Google's APIs), a cancellation or continuation token.
 */
const HARMLESS_TOKEN = new Set(["page", "pagination", "cancellation", "continuation"]);

/**
 * Words after a secret's word that make the name about the secret, not the secret itself:
 * `tokenCount`, `password_length`, `tokenType`, `secretName`, `tokenExpiresAt`, `keyId`, `keyCode`.
 */
const ABOUT_A_SECRET = new Set([
  "count",
  "length",
  "len",
  "size",
  "limit",
  "type",
  "kind",
  "name",
  "expiry",
  "expires",
  "ttl",
  "id",
  "ids",
  "code",
  "index",
  "file",
  "path",
  "version",
]);

/**
 * `key` alone is a secret as a secret's word is (`apiKey`, `secret_key`, `client_key_data`,
 * `STRIPE_KEY_LIVE`; not `keyCount`, `keyCode`, `keyId`), but not after a word that makes it a lookup
 * or a public value: a database's or cache's key, a query's or a translation's key, a keyboard
 * shortcut, a public key.
 */
const HARMLESS_KEY = new Set([
  "query",
  "storage",
  "translation",
  "message",
  "locale",
  "label",
  "field",
  "column",
  "index",
  "event",
  "state",
  "primary",
  "foreign",
  "sort",
  "partition",
  "range",
  "hash",
  "cache",
  "idempotency",
  "dedupe",
  "dedup",
  "composite",
  "unique",
  "lookup",
  "map",
  "row",
  "group",
  "routing",
  "shard",
  "object",
  "entry",
  "public",
  "hot",
  "shortcut",
]);

/**
 * Whether a variable, header or query parameter name says its value is a secret, in any case style
 * (camelCase, PascalCase, snake_case, kebab-case, UPPER_CASE). Matched by whole words, so `keyboard`,
 * `monkey`, `tokenizer` and `maxTokens` are not secrets; see the word lists above for the rest.
 */
export function isSensitiveName(name: string): boolean {
  const words = nameWords(name);
  return words.some((word, i) => {
    const next = words[i + 1];
    const before = words[i - 1];
    if (SECRETS_WORD.test(word)) return next === undefined;
    if (word === "key") {
      if (before !== undefined && HARMLESS_KEY.has(before)) return false;
    } else if (!SECRET_WORD.test(word)) {
      return false;
    } else if (word === "token" && before !== undefined && HARMLESS_TOKEN.has(before)) {
      return false;
    }
    return next === undefined || !ABOUT_A_SECRET.has(next);
  });
}

/** Request headers that carry credentials whatever their value looks like. */
const CREDENTIAL_HEADER = /^(?:authorization|proxy-authorization|cookie|set-cookie)$/i;

/** Longest text scanned; beyond it only the start is looked at (the page shows little more anyway). */
const MAX_SCAN_CHARS = 20_000;

/** What a text value looks like, if it looks like a secret. */
export function scanText(text: string): SecretFinding | null {
  const sample = text.length > MAX_SCAN_CHARS ? text.slice(0, MAX_SCAN_CHARS) : text;
  for (const { kind, label, pattern, accept } of VALUE_PATTERNS) {
    const match = pattern.exec(sample);
    if (match && (accept === undefined || accept(match[0]))) return { kind, label };
  }
  return null;
}

/**
 * Whether a value shown under `key` should be masked: a string or number whose name says it is a
 * secret (or whose parent's name does), a credential header, or text that looks like one. SDK
 * redaction markers and empty values are never masked: they hide nothing.
 */
export function findSecret(value: unknown, key: string | null, underSensitiveName = false): SecretFinding | null {
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint") return null;
  const text = String(value);
  if (text === "" || redactionMarker(text) !== null) return null;
  if (key !== null && CREDENTIAL_HEADER.test(key)) return { kind: "credential_header", label: "a credential header" };
  if (underSensitiveName || (key !== null && isSensitiveName(key))) {
    return { kind: "sensitive_name", label: "a secret, by its name" };
  }
  if (maskQuerySecrets(text) !== text) return { kind: "query_secret", label: "a URL with a secret in its query" };
  return scanText(text);
}

/**
 * A URL or request target with the values of its query parameters that are secrets by their name
 * (`token`, `api_key`, `password`…) or look like one replaced by MASK: what a one-line summary shows.
 */
export function maskQuerySecrets(target: string): string {
  const at = target.indexOf("?");
  if (at < 0) return target;
  const end = target.indexOf("#", at);
  const query = target.slice(at + 1, end < 0 ? undefined : end);
  const masked = query
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      if (eq < 0) return pair;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let decoded = value;
      try {
        decoded = decodeURIComponent(value.replace(/\+/g, " "));
      } catch {
        // A malformed escape: the value as written.
      }
      const secret =
        value !== "" && redactionMarker(decoded) === null && (isSensitiveName(name) || scanText(decoded) !== null);
      return secret ? `${name}=${MASK}` : pair;
    })
    .join("&");
  return masked === query ? target : `${target.slice(0, at + 1)}${masked}${end < 0 ? "" : target.slice(end)}`;
}

/**
 * The SDK's own redaction marker: "[REDACTED:email]" → "email", "[REDACTED]" → ""; null for any
 * other value.
 */
export function redactionMarker(text: string): string | null {
  const match = /^\[REDACTED(?::([\w.-]{1,40}))?\]$/.exec(text);
  if (!match) return null;
  return match[1] ?? "";
}

/** The same number of bullets for every value, so a mask does not tell the secret's length. */
export const MASK = "••••••••";

/**
 * Whether the values inside a container are secrets by a name above them: the container's own
 * (`key`, not an array index) or one further up (`underSensitiveName`). The tree on the page and
 * maskSecrets pass it down alike.
 */
export function sensitiveBelow(underSensitiveName: boolean, key: string | null, isIndex: boolean): boolean {
  return underSensitiveName || (key !== null && !isIndex && isSensitiveName(key));
}

/** A value maskSecrets replaced: where (`user.email`, `items[2].token`; "" for the value itself) and what it looked like. */
export interface MaskedValue {
  path: string;
  finding: SecretFinding;
}

/**
 * A copy of `value` (variables, a request context) with every value the Snapshots page shows masked
 * until Reveal (findSecret, at any depth, under the same names) replaced by MASK, and where each was.
 * The SDK's `[REDACTED:…]` markers stay as they are. Containers are copied only where something changed.
 */
export function maskSecrets(value: unknown): { value: unknown; masked: MaskedValue[] } {
  const masked: MaskedValue[] = [];
  const visit = (item: unknown, key: string | null, isIndex: boolean, under: boolean, path: string): unknown => {
    if (Array.isArray(item)) {
      const below = sensitiveBelow(under, key, isIndex);
      let copy: unknown[] | null = null;
      item.forEach((child, i) => {
        const next = visit(child, String(i), true, below, `${path}[${i}]`);
        if (next !== child) {
          copy ??= item.slice();
          copy[i] = next;
        }
      });
      return copy ?? item;
    }
    if (item !== null && typeof item === "object") {
      const below = sensitiveBelow(under, key, isIndex);
      let copy: Record<string, unknown> | null = null;
      for (const [name, child] of Object.entries(item)) {
        const next = visit(child, name, false, below, path === "" ? name : `${path}.${name}`);
        if (next !== child) {
          copy ??= { ...item };
          Object.defineProperty(copy, name, { value: next, enumerable: true, writable: true, configurable: true });
        }
      }
      return copy ?? item;
    }
    const finding = findSecret(item, isIndex ? null : key, under);
    if (finding === null) return item;
    masked.push({ path, finding });
    return MASK;
  };
  return { value: visit(value, null, false, false, ""), masked };
}
