import type { Locator, Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { newSpanId, newTraceId, postJson, postLogs } from "../helpers/payloads.js";

const available = chromiumAvailable();

const kv = (key: string, value: unknown) => ({ key, value });
const text = (stringValue: string) => ({ stringValue });
const bytes = (bytesValue: string) => ({ bytesValue });
const list = (...values: unknown[]) => ({ arrayValue: { values } });
const map = (entries: Record<string, unknown>) => ({
  kvlistValue: { values: Object.entries(entries).map(([key, value]) => kv(key, value)) },
});

/** 40 digests of two bytes each, all sent as bytes. */
const DIGESTS = Array.from({ length: 40 }, (_, i) => bytes(Buffer.from([i, i + 1]).toString("base64")));

/** The notes a row shows beside its value, in order. */
const notesOf = (row: Locator) => row.getByTestId("bytes-note").allTextContents();

describe.skipIf(!available)("bytes values in resources, scopes, lists and maps, in Chromium", () => {
  const suite = useAppInChromium();
  let page: Page;
  let problems: string[] = [];

  beforeEach(async () => {
    page = await suite.browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(15_000);
    problems = collectPageProblems(page);
    return async () => {
      await page.close();
      expect(problems).toEqual([]);
    };
  });

  it("the span's details say where each bytes value is, and how many bytes, without pushing its value away", async () => {
    const traceId = newTraceId();
    const spanId = newSpanId();
    const start = BigInt(Date.now()) * 1_000_000n;
    const request = {
      resourceSpans: [
        {
          resource: {
            attributes: [
              kv("service.name", text("binary")),
              kv("host.key", bytes("3q2+7w==")),
              // The same base64 text as a string and as bytes: only the second says bytes.
              kv("host.certs", list(text("AAEC"), map({ id: bytes("AAEC") }))),
            ],
          },
          scopeSpans: [
            {
              scope: {
                name: "bytes.scope",
                version: "1.0.0",
                attributes: [kv("scope.token", bytes("AQID")), kv("scope.parts", list(bytes("AQ=="), text("x")))],
              },
              spans: [
                {
                  traceId,
                  spanId,
                  name: "upload",
                  kind: 2,
                  startTimeUnixNano: start.toString(),
                  endTimeUnixNano: (start + 5_000_000n).toString(),
                  attributes: [
                    kv("payload", bytes("3q2+7w==")),
                    kv("files", list(text("a.txt"), map({ id: bytes("AAECAwQ="), "<b>x</b>": bytes("AQ==") }))),
                    kv("digests", list(...DIGESTS)),
                    kv("as.text", text("3q2+7w==")),
                  ],
                  events: [
                    {
                      name: "chunk",
                      timeUnixNano: (start + 1_000_000n).toString(),
                      attributes: [kv("chunks", list(bytes("AQ=="), bytes("AQID")))],
                    },
                  ],
                  links: [
                    {
                      traceId,
                      spanId: newSpanId(),
                      attributes: [kv("keys", map({ "content-md5": bytes("AAE="), plain: text("p") }))],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    expect((await postJson(suite.app.base, request)).status).toBe(200);

    await page.goto(`${suite.app.base}/traces/${traceId}?span=${spanId}`);
    const details = page.getByTestId("span-details");
    const files = details.locator('[data-attr-key="files"]');
    await expect.poll(() => notesOf(files)).toEqual(["[1].id: base64 of 5 bytes", '[1]["<b>x</b>"]: base64 of 1 byte']);
    // A map key is text, never markup.
    expect(await details.locator("b").count()).toBe(0);
    expect(await files.locator(".tv-attr-value").textContent()).toContain('"id": "AAECAwQ="');
    expect(await notesOf(details.locator('[data-attr-key="payload"]'))).toEqual(["base64 of 4 bytes"]);
    expect(await notesOf(details.locator('[data-attr-key="as.text"]'))).toEqual([]);
    expect(await notesOf(details.locator('[data-event-attr-key="chunks"]'))).toEqual([
      "[0]: base64 of 1 byte",
      "[1]: base64 of 3 bytes",
    ]);
    expect(await notesOf(details.locator('[data-link-attr-key="keys"]'))).toEqual(["content-md5: base64 of 2 bytes"]);

    // 40 bytes values in one list: the first three said, the rest counted in one note listing them.
    const digests = details.locator('[data-attr-key="digests"]');
    expect(await notesOf(digests)).toEqual([
      "[0]: base64 of 2 bytes",
      "[1]: base64 of 2 bytes",
      "[2]: base64 of 2 bytes",
    ]);
    const rest = digests.getByTestId("bytes-note-rest");
    expect(await rest.textContent()).toBe("37 more sent as bytes");
    expect((await rest.getAttribute("title"))?.split("\n").slice(0, 2)).toEqual([
      "[3]: base64 of 2 bytes",
      "[4]: base64 of 2 bytes",
    ]);
    // The value still begins on the row's first lines, and no note spills out of the panel.
    const panel = await details.boundingBox();
    const noteBoxes = await Promise.all(
      (await digests.locator(".tv-bytes-note").all()).map((note) => note.boundingBox()),
    );
    const rowBox = await digests.boundingBox();
    expect(noteBoxes.every((box) => box !== null && rowBox !== null && box.y - rowBox.y < 60)).toBe(true);
    for (const box of [
      ...noteBoxes,
      ...(await Promise.all((await details.locator(".tv-bytes-note").all()).map((n) => n.boundingBox()))),
    ]) {
      expect(box !== null && panel !== null && box.x + box.width <= panel.x + panel.width + 0.5).toBe(true);
    }

    // The resource's and the scope's values (their sections open on a click).
    await details.locator("summary", { hasText: "Resource" }).click();
    expect(await notesOf(details.locator('[data-resource-key="host.key"]'))).toEqual(["base64 of 4 bytes"]);
    expect(await notesOf(details.locator('[data-resource-key="host.certs"]'))).toEqual(["[1].id: base64 of 3 bytes"]);
    expect(await notesOf(details.locator('[data-resource-key="service.name"]'))).toEqual([]);
    await details.locator("summary", { hasText: "Instrumentation scope" }).click();
    expect(await notesOf(details.locator('[data-scope-key="scope.token"]'))).toEqual(["base64 of 3 bytes"]);
    expect(await notesOf(details.locator('[data-scope-key="scope.parts"]'))).toEqual(["[0]: base64 of 1 byte"]);
  });

  it("a log record's details say where the bytes values in its body, attributes, resource and scope are", async () => {
    const request = {
      resourceLogs: [
        {
          resource: { attributes: [kv("service.name", text("binary")), kv("host.key", bytes("3q2+7w=="))] },
          scopeLogs: [
            {
              scope: { name: "bytes.logger", attributes: [kv("logger.key", bytes("AQID"))] },
              logRecords: [
                {
                  timeUnixNano: (BigInt(Date.now()) * 1_000_000n).toString(),
                  severityNumber: 9,
                  body: map({
                    message: text("uploaded two files"),
                    files: list(map({ id: bytes("AAECAwQ=") }), text("b")),
                  }),
                  attributes: [
                    kv("parts", list(text("a"), bytes("AQID"))),
                    kv("digests", list(...DIGESTS.slice(0, 6))),
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    expect((await postLogs(suite.app.base, request)).status).toBe(200);

    await page.goto(`${suite.app.base}/logs`);
    const row = page.locator("[data-log-id]", { hasText: "uploaded two files" });
    await row.click();
    const details = page.locator(".log-details");
    const body = details.getByTestId("log-body");
    await expect.poll(() => notesOf(body)).toEqual(["files[0].id: base64 of 5 bytes"]);
    expect(await body.textContent()).toContain('"id": "AAECAwQ="');
    expect(await notesOf(details.locator('[data-attr-key="parts"]'))).toEqual(["[1]: base64 of 3 bytes"]);
    const digests = details.locator('[data-attr-key="digests"]');
    expect(await notesOf(digests)).toHaveLength(3);
    expect(await digests.getByTestId("bytes-note-rest").textContent()).toBe("3 more sent as bytes");
    await details.locator("summary", { hasText: "Resource" }).click();
    expect(await notesOf(details.locator('[data-resource-key="host.key"]'))).toEqual(["base64 of 4 bytes"]);
    expect(await notesOf(details.locator('[data-resource-key="service.name"]'))).toEqual([]);
    await details.locator("summary", { hasText: "Instrumentation scope" }).click();
    expect(await notesOf(details.locator('[data-scope-key="logger.key"]'))).toEqual(["base64 of 3 bytes"]);
  });
});
