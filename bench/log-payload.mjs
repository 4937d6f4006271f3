// Builds realistic OTLP logs requests for benchmarks: 1,000 records from 5 services, ~10 per trace
// (70% emitted inside a span), templated messages with varying ids, 5 attributes each, a severity mix
// (an error in ~6%). Every trace id and time is rewritten per request, so each request adds new
// traces later in time than the one before, as an app's log stream does.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import { timeOffsetsOf } from "./payload.mjs";

const root = protobuf.loadSync(fileURLToPath(new URL("../test/fixtures/otlp-logs.proto", import.meta.url)));
const Request = root.lookupType("tracekit.test.otlp.ExportLogsServiceRequest");

const SERVICES = ["frontend", "checkout", "payments", "inventory", "email"];
const MESSAGES = [
  (i) => `GET /api/orders/${i} 200 in ${i % 90} ms`,
  (i) => `cache miss for order:${i}, loading from postgres`,
  (i) => `user-${i % 97} added ${(i % 5) + 1} items to cart`,
  (i) => `charging card ending ${1000 + (i % 9000)} for $${(i % 300) + 0.99}`,
  (i) => `retrying inventory reservation ${i} (attempt ${(i % 3) + 1})`,
];
const SEVERITIES = [
  [9, "INFO"],
  [9, "INFO"],
  [5, "DEBUG"],
  [9, "INFO"],
  [13, "WARN"],
];
const str = (key, value) => ({ key, value: { stringValue: value } });

/**
 * One protobuf request of `records` log records, plus where its trace ids sit. With `rareScopeEvery`,
 * every that-many-th record comes from a second logger (`pino-logger` 2.1.0) instead of winston's.
 */
export function buildLogRequest(records = 1000, perTrace = 10, { rareScopeEvery = 0 } = {}) {
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const byService = new Map();
  const traceIds = [];
  for (let i = 0; i < records; i++) {
    const service = SERVICES[i % SERVICES.length];
    const inSpan = i % 10 < 7;
    let traceId;
    if (inSpan) {
      const t = Math.floor(i / perTrace);
      traceId = traceIds[t] ?? randomBytes(16);
      traceIds[t] = traceId;
    }
    const [severityNumber, severityText] = i % 17 === 0 ? [17, "ERROR"] : SEVERITIES[i % SEVERITIES.length];
    const record = {
      timeUnixNano: (startNs + BigInt(i) * 1000n).toString(),
      observedTimeUnixNano: (startNs + BigInt(i) * 1000n + 50_000n).toString(),
      severityNumber,
      severityText,
      body: { stringValue: MESSAGES[i % MESSAGES.length](i) },
      attributes: [
        str("code.function", "handleRequest"),
        str("code.filepath", "src/routes/orders.ts"),
        { key: "code.lineno", value: { intValue: String(40 + (i % 60)) } },
        str("user.id", `user-${i % 97}`),
        { key: "http.response.status_code", value: { intValue: i % 17 === 0 ? "500" : "200" } },
      ],
      ...(inSpan ? { traceId, spanId: randomBytes(8), flags: 1 } : {}),
    };
    if (!byService.has(service)) byService.set(service, { main: [], rare: [] });
    byService.get(service)[rareScopeEvery > 0 && i % rareScopeEvery === 0 ? "rare" : "main"].push(record);
  }
  const request = {
    resourceLogs: [...byService.entries()].map(([service, logRecords]) => ({
      resource: {
        attributes: [
          str("service.name", service),
          str("service.version", "1.4.2"),
          str("telemetry.sdk.language", "nodejs"),
        ],
      },
      scopeLogs: [
        { scope: { name: "@opentelemetry/winston-transport", version: "0.7.0" }, logRecords: logRecords.main },
        ...(logRecords.rare.length > 0
          ? [{ scope: { name: "pino-logger", version: "2.1.0" }, logRecords: logRecords.rare }]
          : []),
      ],
    })),
  };
  const bytes = Buffer.from(Request.encode(Request.fromObject(request)).finish());
  const offsets = traceIds.map((id) => {
    const found = [];
    for (let at = bytes.indexOf(id); at !== -1; at = bytes.indexOf(id, at + 1)) found.push(at);
    return found;
  });
  // Where every fixed64 time sits (an observed time may equal a later record's time: one place each).
  const times = new Set();
  for (let i = 0; i < records; i++) times.add(startNs + BigInt(i) * 1000n).add(startNs + BigInt(i) * 1000n + 50_000n);
  return { bytes, recordCount: records, offsets, timeOffsets: timeOffsetsOf(bytes, times) };
}
