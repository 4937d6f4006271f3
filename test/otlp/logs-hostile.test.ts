/**
 * Hostile input for the log decoders and POST /v1/logs: whatever arrives, decoding ends quickly with a
 * result or an OtlpDecodeError (→ 400), never another exception (→ 500), a stack overflow or a hang;
 * over HTTP nothing is ever answered 5xx and nothing stored before is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeLogRequestJson } from "../../src/otlp/json/logs.js";
import { decodeLogRequestProtobuf } from "../../src/otlp/protobuf/logs.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import { newTraceId, postLogs, jsonLogRequest as simpleJsonLogRequest } from "../helpers/payloads.js";
import {
  bytes,
  cutAtEveryOffset,
  decodeError,
  decodeMutations,
  decodeRandomBytes,
  hexBytes,
  key,
  lenField,
  nestedArrayValue,
  nestingDepth,
  outcome,
  prng,
  varint,
} from "./helpers.js";
import { encodeLogRequest, jsonLogRequest, loadOtlpLogsRoot, protoLogRequest } from "./log-sample-request.js";

const SLOW = { timeout: 120_000 };
const validBody = encodeLogRequest(loadOtlpLogsRoot(), protoLogRequest());

/** Request → ResourceLogs → ScopeLogs → LogRecord(the given fields). */
function requestWithRecordFields(...fields: ArrayLike<number>[]): Uint8Array {
  return bytes(lenField(1, lenField(2, lenField(2, bytes(...fields)))));
}

describe("protobuf logs: truncated and corrupted bodies", () => {
  it("handles the valid body cut at every byte offset", SLOW, () => {
    const outcomes = cutAtEveryOffset(outcome, decodeLogRequestProtobuf, validBody);
    expect(outcomes.error).toBeGreaterThan(validBody.length * 0.9);
    expect(outcome(() => decodeLogRequestProtobuf(validBody))).toBe("ok");
  });

  it("handles thousands of random byte strings and random mutations of a valid body (seeded)", SLOW, () => {
    const rand = prng(0x10c5);
    decodeRandomBytes(outcome, decodeLogRequestProtobuf, rand, 4000);
    expect(decodeMutations(outcome, decodeLogRequestProtobuf, validBody, rand, 3000)).toBeGreaterThan(0);
  });

  it("rejects invalid wire types, groups and huge lengths inside a log record", () => {
    expect(decodeError(() => decodeLogRequestProtobuf(requestWithRecordFields(key(99, 7), [0])))).toMatch(
      /^invalid wire type 7 in field 99 at byte \d+$/,
    );
    expect(decodeError(() => decodeLogRequestProtobuf(requestWithRecordFields(key(99, 3), key(99, 4))))).toMatch(
      /^unsupported group wire type 3 in field 99/,
    );
    for (const len of [2n ** 31n, 2n ** 53n, 2n ** 64n - 1n]) {
      expect(decodeError(() => decodeLogRequestProtobuf(requestWithRecordFields(key(3, 2), varint(len))))).toMatch(
        /truncated length-delimited value .* in field 3 at byte/,
      );
    }
  });

  it("cuts a body nested 10,000 levels deep at 32 without overflowing the stack, and decodes 31 levels", SLOW, () => {
    const deep = requestWithRecordFields(lenField(5, nestedArrayValue(10_000)));
    expect(nestingDepth(decodeLogRequestProtobuf(deep).logs[0]?.body)).toBe(32);
    expect(
      nestingDepth(decodeLogRequestProtobuf(requestWithRecordFields(lenField(5, nestedArrayValue(31)))).logs[0]?.body),
    ).toBe(31);
  });

  it("counts records with bad ids as rejected, keeps the rest, and reports the first few reasons", () => {
    const records: number[][] = [];
    for (let i = 0; i < 50; i++) {
      const ok = i % 10 === 0;
      records.push(lenField(2, lenField(9, hexBytes(ok ? "0af7651916cd43dd8448eb211c80319c" : "0af76519"))));
    }
    const result = decodeLogRequestProtobuf(bytes(lenField(1, lenField(2, bytes(...records)))));
    expect(result.logs).toHaveLength(5);
    expect(result.rejectedLogRecords).toBe(45);
    expect(result.errors).toHaveLength(5);
    expect(result.errors[0]).toBe(
      'resourceLogs[0].scopeLogs[0].logRecords[1]: trace id "0af76519" is not 32 hex digits (16 bytes)',
    );
  });
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

describe("JSON logs: wrong shapes", () => {
  const body = (records: Json): Json => ({ resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] });

  it("rejects a body that is unusable as a whole", () => {
    const cases: [unknown, string][] = [
      [null, "request body is not a JSON object"],
      [[], "request body is not a JSON object"],
      [{ resourceLogs: {} }, "request: resourceLogs is not an array"],
      [{ resource_logs: [5] }, "resourceLogs[0] is not an object"],
      [{ resourceLogs: [{ scopeLogs: "x" }] }, "resourceLogs[0]: scopeLogs is not an array"],
      [{ resourceLogs: [{ scopeLogs: [null] }] }, "resourceLogs[0].scopeLogs[0] is not an object"],
      [
        { resourceLogs: [{ scopeLogs: [{ logRecords: {} }] }] },
        "resourceLogs[0].scopeLogs[0]: logRecords is not an array",
      ],
      [{ resourceLogs: [{ resource: [] }] }, "resourceLogs[0].resource: resource is not an object"],
      [
        { resourceLogs: [{ scopeLogs: [{ scope: { version: 2 } }] }] },
        "resourceLogs[0].scopeLogs[0].scope: version is not a string",
      ],
    ];
    for (const [input, message] of cases) expect(decodeError(() => decodeLogRequestJson(input))).toBe(message);
  });

  it("rejects only the record that is malformed, with its reason", () => {
    const bad: [Json, string][] = [
      ["a string", 'log record "a string" is not an object'],
      [{ timeUnixNano: "-1" }, 'timeUnixNano "-1" is not an unsigned 64-bit integer'],
      [{ observedTimeUnixNano: 1.5 }, "observedTimeUnixNano 1.5 is not an unsigned 64-bit integer"],
      [{ severityNumber: "SEVERITY_NUMBER_LOUD" }, 'severityNumber "SEVERITY_NUMBER_LOUD" is not a known enum value'],
      [{ severityText: 5 }, "severityText is not a string"],
      [{ body: "raw" }, 'AnyValue "raw" is not an object'],
      [{ body: { intValue: "x" } }, 'intValue "x" is not a 64-bit integer'],
      [{ attributes: [{ key: "a", value: { boolValue: 1 } }] }, "boolValue 1 is not a boolean"],
      [{ attributes: {} }, "attributes is not an array"],
      [{ droppedAttributesCount: -1 }, "droppedAttributesCount -1 is not an unsigned 32-bit integer"],
      [{ flags: 2 ** 32 }, "flags 4294967296 is not an unsigned 32-bit integer"],
      [{ traceId: 7 }, "traceId is not a string"],
      [{ traceId: "zz".repeat(16) }, `trace id "${"zz".repeat(16)}" is not 32 hex digits (16 bytes)`],
      [{ spanId: "12" }, 'span id "12" is not 16 hex digits (8 bytes)'],
      [{ eventName: ["x"] }, "eventName is not a string"],
    ];
    const good = { body: { stringValue: "fine" } };
    const records: Json[] = [good];
    for (const [record] of bad) records.push(record, good);
    const result = decodeLogRequestJson(body(records));
    expect(result.logs).toHaveLength(bad.length + 1);
    expect(result.rejectedLogRecords).toBe(bad.length);
    expect(result.errors).toHaveLength(5);
    for (const [record, reason] of bad) {
      expect(decodeLogRequestJson(body([record])).errors).toEqual([
        `resourceLogs[0].scopeLogs[0].logRecords[0]: ${reason}`,
      ]);
    }
  });

  it("cuts a body nested 10,000 levels deep at 32 without overflowing the stack", SLOW, () => {
    const levels = 10_000;
    const deep = `${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(levels)}{}${"}]}}".repeat(levels)}`;
    const text = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${deep}}]}]}]}`;
    expect(nestingDepth(decodeLogRequestJson(JSON.parse(text)).logs[0]?.body)).toBe(32);
  });

  it("survives thousands of random structural mutations of a valid body (seeded)", SLOW, () => {
    const rand = prng(9);
    const randomValue = (): Json =>
      [null, true, -3, 2.5, "", "0af7651916cd43dd8448eb211c80319c", [], {}, { values: [{}] }][
        Math.floor(rand() * 9)
      ] as Json;
    const mutate = (value: Json): Json => {
      if (rand() < 0.04) return randomValue();
      if (Array.isArray(value)) return value.map(mutate);
      if (value !== null && typeof value === "object") {
        const out: { [key: string]: Json } = {};
        for (const [k, v] of Object.entries(value)) out[k] = mutate(v);
        return out;
      }
      return value;
    };
    const base = JSON.parse(JSON.stringify(jsonLogRequest())) as Json;
    const seen = { ok: 0, error: 0 };
    for (let n = 0; n < 2000; n++) seen[outcome(() => decodeLogRequestJson(mutate(base)))]++;
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.error).toBeGreaterThan(0);
  });
});

describe("POST /v1/logs under hostile input", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it("never answers 5xx and loses nothing stored before", SLOW, async () => {
    const keptTraceId = newTraceId();
    expect((await postLogs(app.base, simpleJsonLogRequest("keeper", [{ traceId: keptTraceId }]))).status).toBe(200);
    const rand = prng(0xbad);
    const statuses = new Set<number>();
    for (let n = 0; n < 150; n++) {
      const input = Uint8Array.from(validBody);
      for (let e = 1 + Math.floor(rand() * 6); e > 0; e--) input[Math.floor(rand() * input.length)] = rand() * 256;
      const binary = await fetch(`${app.base}/v1/logs`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf" },
        body: Buffer.from(input),
      });
      statuses.add(binary.status);
      const text = JSON.stringify(jsonLogRequest());
      const at = Math.floor(rand() * text.length);
      const json = await postLogs(
        app.base,
        text.slice(0, at) + String.fromCharCode(32 + rand() * 90) + text.slice(at + 1),
      );
      statuses.add(json.status);
    }
    expect([...statuses].every((status) => status === 200 || status === 400)).toBe(true);
    expect(statuses.has(400)).toBe(true);
    const kept = await readJson(fetch(`${app.base}/api/logs?traceId=${keptTraceId}`));
    expect(kept.logs).toHaveLength(1);
    const health = await readJson(fetch(`${app.base}/api/health`));
    expect(health.status).toBe("ok");
    expect(app.events.filter((event) => event.type === "internal-error")).toEqual([]);
  });
});
