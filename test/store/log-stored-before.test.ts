import { describe, expect, it, vi } from "vitest";
import type { LogRecord, StoredLog } from "../../src/domain/log.js";
import { recordsStoredBefore } from "../../src/store/log-stored-before.js";
import { makeLog } from "./log-fixtures.js";
import { ms } from "./span-fixtures.js";

const compared = vi.hoisted(() => ({ count: 0 }));
vi.mock("../../src/domain/log.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/domain/log.js")>();
  return {
    ...actual,
    sameLogRecord(a: LogRecord, b: LogRecord) {
      compared.count++;
      return actual.sameLogRecord(a, b);
    },
  };
});

/** Stored records numbered from 1, and the stored records of a time as a store gives them. */
function storeOf(records: LogRecord[]) {
  const stored: StoredLog[] = records.map((record, i) => ({ seq: i + 1, record }));
  const asked: bigint[] = [];
  const storedAt = (time: bigint) => {
    asked.push(time);
    return stored.filter((log) => log.record.timeUnixNano === time);
  };
  return { stored, asked, storedAt };
}
const far = (count: number) => ({ firstSeq: 1, nextSeq: count + 1, maxLogs: 1_000_000 });

describe("recordsStoredBefore", () => {
  it("looks up no time older than the oldest stored record or newer than the newest", () => {
    const { asked, storedAt } = storeOf([4, 5, 6].map((at) => makeLog({ at, body: `at ${at}` })));
    const sent = [1, 2, 3, 4, 5, 6, 7, 8].map((at) => makeLog({ at, body: `at ${at}` }));
    const before = recordsStoredBefore(sent, ms(6), () => ms(4), storedAt);
    expect(asked.sort()).toEqual([ms(4), ms(5), ms(6)]);
    expect(before?.take(sent, far(3))).toMatchObject({ duplicates: 3 });
    // Every record older than what is stored: nothing is looked up.
    asked.length = 0;
    expect(recordsStoredBefore(sent.slice(0, 3), ms(6), () => ms(4), storedAt)).toBeNull();
    expect(asked).toEqual([]);
  });

  it("compares a record only with stored records that could equal it, in a burst of one time", () => {
    // A burst logged in one millisecond: 2,000 lines, and a loop's one line 1,000 times.
    const lines = Array.from({ length: 2_000 }, (_, i) => makeLog({ at: 1, body: `line ${i}` }));
    const loop = Array.from({ length: 1_000 }, () => makeLog({ at: 1, body: "retrying" }));
    const { storedAt } = storeOf([...lines, ...loop]);
    // Sent again in another order, beside as many new lines and one more of the loop's.
    const sent = [
      ...structuredClone(lines).reverse(),
      ...Array.from({ length: 2_000 }, (_, i) => makeLog({ at: 1, body: `new line ${i}` })),
      ...structuredClone([...loop, loop[0] as LogRecord]),
    ];
    compared.count = 0;
    const before = recordsStoredBefore(sent, ms(1), () => ms(1), storedAt);
    // One comparison for each record sent again (the count also shows the comparisons are counted).
    expect(compared.count).toBeGreaterThanOrEqual(3_000);
    expect(compared.count).toBeLessThanOrEqual(sent.length);
    const { fresh, duplicates } = before?.take(sent, far(3_000)) ?? { fresh: [], duplicates: 0 };
    expect(duplicates).toBe(3_000);
    expect(fresh.map((record) => record.body)).toEqual([
      ...Array.from({ length: 2_000 }, (_, i) => `new line ${i}`),
      "retrying",
    ]);
  });
});
