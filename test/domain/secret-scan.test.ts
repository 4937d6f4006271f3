import { describe, expect, it } from "vitest";
import {
  findSecret,
  MASK,
  maskQuerySecrets,
  maskSecrets,
  nameWords,
  passesLuhn,
  redactionMarker,
  scanText,
} from "../../src/domain/secret-scan.js";

const kindOf = (text: string) => scanText(text)?.kind ?? null;

describe("secret scan: the SDKs' pattern families", () => {
  it.each([
    ["email", "reach me at jane.doe+shop@example.co.uk please"],
    ["ssn", "ssn 123-45-6789"],
    ["credit_card", "4111 1111 1111 1111"],
    ["credit_card", "5555-5555-5555-4444"],
    ["credit_card", "378282246310005"],
    ["phone", "call (555) 123-4567"],
    ["phone", "+1 555-123-4567"],
    ["phone", "+1 415 555 0100"],
    ["phone", "415 555 0100"],
    ["phone", "+44 20 7946 0958"],
    ["phone", "+33 1 23 45 67 89"],
    ["aws_access_key", "AKIAIOSFODNN7EXAMPLE"],
    ["aws_secret_key", "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
    ["bearer_token", "Bearer abcdefghijklmnopqrstuvwxyz012345"],
    ["stripe_key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"],
    ["password", "password=hunter2hunter2"],
    ["password", '{"pwd": "correct-horse"}'],
    [
      "jwt",
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ],
    ["private_key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow..."],
    ["api_key", "api_key: abcdefghijklmnopqrstuvwxyz"],
    ["url_credentials", "postgres://app:s3cret@db.internal:5432/orders"],
  ])("finds %s in %j", (kind, text) => {
    expect(kindOf(text)).toBe(kind);
  });

  it.each([
    "GET /checkout",
    "order 1234567890",
    "1764648000123", // a millisecond timestamp
    "1764648000123456789", // a nanosecond timestamp
    "2026-12-02T04:10:00.123Z",
    "4111 1111 1111 1112", // fails Luhn's check
    "550e8400-e29b-41d4-a716-446655440000",
    "bearer short",
    "sk_live_",
    "https://example.com/a@b",
    "password reset requested",
    "version 1 2 3",
    "+1 2", // too few digits for a phone number
    "took 120 ms, 3 retries",
  ])("leaves %j alone", (text) => {
    expect(scanText(text)).toBeNull();
  });

  it("checks card numbers with Luhn", () => {
    expect(passesLuhn("4111111111111111")).toBe(true);
    expect(passesLuhn("4111111111111112")).toBe(false);
    expect(passesLuhn("")).toBe(false);
  });
});

describe("findSecret: names, headers and markers", () => {
  it("masks values whose name says they are secret, with the SDKs' letter boundaries", () => {
    expect(findSecret("hunter2", "password")?.kind).toBe("sensitive_name");
    expect(findSecret("abc", "user_token")?.kind).toBe("sensitive_name");
    expect(findSecret("abc", "api_key")?.kind).toBe("sensitive_name");
    expect(findSecret(1234, "pin_secret")?.kind).toBe("sensitive_name");
    expect(findSecret("qwerty", "keyboard")).toBeNull();
    expect(findSecret("42", "monkey")).toBeNull();
  });

  it("reads a name's words in any case style", () => {
    for (const name of ["accessToken", "AccessToken", "access_token", "ACCESS-TOKEN", "access.token"]) {
      expect(nameWords(name)).toEqual(["access", "token"]);
    }
    expect(nameWords("APIKey")).toEqual(["api", "key"]);
    expect(nameWords("oauth2Token")).toEqual(["oauth", "token"]);
  });

  // Secrets in camelCase, PascalCase, kebab-case, snake_case and UPPER_CASE names alike.
  it.each([
    "accessToken",
    "clientSecret",
    "privateKey",
    "dbPassword",
    "userPassword",
    "authToken",
    "sessionToken",
    "secretKey",
    "apiSecret",
    "refreshToken",
    "resetToken",
    "RefreshToken",
    "APIKey",
    "apiKey",
    "apikey",
    "accesstoken",
    "dbpassword",
    "X-Api-Key",
    "x-auth-token",
    "DB_PASSWORD",
    "GITHUB_TOKEN",
    "key",
    "KEY",
    "signingKey",
    "keyPair",
    "passwordHash",
    "credentials",
    "secrets",
    "pwd",
    "passphrase",
    // `key` before a word that is not about it: a kubeconfig's key data, encodings, a live key.
    "client-key-data",
    "client_key_data",
    "private_key_data",
    "encryption_key_base64",
    "signing_key_b64",
    "master_key_hex",
    "api_key_value",
    "STRIPE_KEY_LIVE",
    "ssh_key_contents",
    "db_passwords",
  ])("masks a value named %s", (name) => {
    expect(findSecret("x1", name)?.kind).toBe("sensitive_name");
  });

  // The choices on false positives: whole words only; counts and descriptions of a secret are not the
  // secret (`keyId`, `tokenCount`); `key` is no secret as a database's, cache's, query's or keyboard's
  // key or a public key, nor `token` as a page, cancellation or continuation token; plural `tokens`
  // counts an LLM's tokens, and `secrets` is one only as the last word.
  it.each([
    "keyboard",
    "monkey",
    "turkey",
    "tokenizer",
    "maxTokens",
    "promptTokens",
    "tokenCount",
    "token_count",
    "passwordLength",
    "tokenType",
    "tokenExpiresAt",
    "secretName",
    "keyCount",
    "keyCode",
    "keyId",
    "keys",
    "primaryKey",
    "foreign_key",
    "sortKey",
    "partitionKey",
    "cacheKey",
    "idempotencyKey",
    "publicKey",
    "hotKey",
    "passage",
    "author",
    "queryKey",
    "storageKey",
    "translationKey",
    "messageKey",
    "pageToken",
    "nextPageToken",
    "cancellationToken",
    "continuationToken",
    "secretsManager",
  ])("leaves a value named %s alone", (name) => {
    expect(findSecret("x1", name)).toBeNull();
  });

  it("masks everything below a sensitive name", () => {
    expect(findSecret("abc", "value", true)?.kind).toBe("sensitive_name");
  });

  it("masks credential headers whatever they hold", () => {
    expect(findSecret("session=abc", "cookie")?.kind).toBe("credential_header");
    expect(findSecret("Basic dXNlcjpwYXNz", "Authorization")?.kind).toBe("credential_header");
    expect(findSecret("text/html", "accept")).toBeNull();
  });

  it("never masks booleans, nulls, empty text or the SDK's own markers", () => {
    expect(findSecret(true, "has_password")).toBeNull();
    expect(findSecret(null, "password")).toBeNull();
    expect(findSecret("", "password")).toBeNull();
    expect(findSecret("[REDACTED:sensitive_name]", "password")).toBeNull();
    expect(findSecret("[REDACTED]", "token")).toBeNull();
  });

  it("scans the value when the name says nothing", () => {
    expect(findSecret("jane@example.com", "contact")?.label).toBe("an email address");
    expect(findSecret(4111111111111111, "n")?.kind).toBe("credit_card");
  });

  it("reads the SDK's redaction markers", () => {
    expect(redactionMarker("[REDACTED:email]")).toBe("email");
    expect(redactionMarker("[REDACTED]")).toBe("");
    expect(redactionMarker("[REDACTED:email] and more")).toBeNull();
    expect(redactionMarker("hello")).toBeNull();
  });

  it("scans only the start of a huge text", () => {
    const huge = `${"x".repeat(30_000)} jane@example.com`;
    expect(scanText(huge)).toBeNull();
    expect(scanText(`jane@example.com ${"x".repeat(30_000)}`)?.kind).toBe("email");
  });
});

describe("secrets in a URL's query", () => {
  it("masks the values of secret-named or secret-looking parameters, and nothing else", () => {
    expect(maskQuerySecrets("/checkout?coupon=SAVE10&token=abc")).toBe("/checkout?coupon=SAVE10&token=••••••••");
    expect(maskQuerySecrets("http://shop/x?api_key=k1&page=2#top")).toBe("http://shop/x?api_key=••••••••&page=2#top");
    expect(maskQuerySecrets("/login?next=%2Fhome&email=ada%40example.com")).toBe("/login?next=%2Fhome&email=••••••••");
    for (const kept of ["/checkout", "/search?q=keyboard", "/x?token=", "/x?token=[REDACTED]", "/x?flag"]) {
      expect(maskQuerySecrets(kept)).toBe(kept);
    }
  });

  it("masks camelCase parameters, also in a referer", () => {
    expect(maskQuerySecrets("/checkout?accessToken=at-0123456789&page=2")).toBe(
      "/checkout?accessToken=••••••••&page=2",
    );
    expect(findSecret("http://shop/reset?resetToken=rt-0123456789", "referer")?.kind).toBe("query_secret");
  });

  it("flags a URL value holding one, so the tree masks it until revealed", () => {
    expect(findSecret("/checkout?coupon=SAVE10&token=abc", "url")).toMatchObject({ kind: "query_secret" });
    expect(findSecret("/checkout?coupon=SAVE10", "url")).toBeNull();
  });
});

describe("masking a snapshot's values for MCP", () => {
  const variables = {
    order_id: 42,
    password: "hunter2!",
    user: { name: "Ada", email: "ada@example.com", "a.b": "[REDACTED:email]" },
    api_key: { list: ["plain", 7], nested: { value: "x" } },
    cards: ["4111 1111 1111 1111", "not a card"],
    url: "/checkout?coupon=SAVE10&token=abc",
    headers: { Authorization: "Basic abc", accept: "json" },
    empty: "",
  };

  it("masks what the Snapshots page masks until Reveal, at any depth, and says where and what", () => {
    const { value, masked } = maskSecrets(variables);
    expect(masked.map((m) => `${m.path}: ${m.finding.kind}`)).toEqual([
      "password: sensitive_name",
      "user.email: email",
      "api_key.list[0]: sensitive_name",
      "api_key.list[1]: sensitive_name",
      "api_key.nested.value: sensitive_name",
      "cards[0]: credit_card",
      "url: query_secret",
      "headers.Authorization: credential_header",
    ]);
    expect(value).toEqual({
      order_id: 42,
      password: MASK,
      user: { name: "Ada", email: MASK, "a.b": "[REDACTED:email]" },
      api_key: { list: [MASK, MASK], nested: { value: MASK } },
      cards: [MASK, "not a card"],
      url: MASK,
      headers: { Authorization: MASK, accept: "json" },
      empty: "",
    });
    expect(
      maskSecrets({
        accessToken: "ya29.a0AfH6SMBxyz0123456789",
        nested: { apiSecret: "s1", refreshToken: "r1", tokenCount: 3 },
      }).masked.map((m) => m.path),
    ).toEqual(["accessToken", "nested.apiSecret", "nested.refreshToken"]);
    // The snapshot itself is left as it was, and what holds no secret is the same object.
    expect(variables.password).toBe("hunter2!");
    const clean = { a: [1, "x"], b: { c: "d" } };
    expect(maskSecrets(clean).value).toBe(clean);
    expect(maskSecrets("jane@example.com")).toEqual({
      value: MASK,
      masked: [{ path: "", finding: expect.anything() }],
    });
  });
});
