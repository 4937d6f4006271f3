import { describe, expect, it } from "vitest";
import type { ImportResponse } from "../../src/protocol.js";
import {
  carriesFiles,
  importFailure,
  importingNotice,
  importOutcome,
} from "../../web/src/features/import/import-summary.js";

function answer(fields: Partial<ImportResponse>): ImportResponse {
  return {
    traces: 0,
    traceIds: [],
    spans: 0,
    logRecords: 0,
    dataPoints: 0,
    alreadyStored: { spans: 0, logRecords: 0, dataPoints: 0 },
    rejected: 0,
    errors: [],
    evicted: { traces: 0, spans: 0, logRecords: 0 },
    ...fields,
  };
}

describe("import notice", () => {
  it("says what a dropped file stored", () => {
    expect(importOutcome("a.json", answer({ traces: 1, spans: 1 }))).toEqual({
      tone: "ok",
      text: "Imported 1 span in 1 trace from a.json",
    });
    expect(importOutcome("all.jsonl", answer({ traces: 3, spans: 1200, logRecords: 2, dataPoints: 1 })).text).toBe(
      "Imported 1,200 spans in 3 traces, 2 log records, 1 metric point from all.jsonl",
    );
    expect(importOutcome("logs.json", answer({ logRecords: 5 })).text).toBe("Imported 5 log records from logs.json");
    expect(importOutcome("empty.json", answer({})).text).toBe("Imported 0 spans in 0 traces from empty.json");
  });

  it("says what retention evicted while the file was stored", () => {
    const evicting = answer({ traces: 150, spans: 3000, evicted: { traces: 100, spans: 2000, logRecords: 0 } });
    expect(importOutcome("small3k.jsonl", evicting)).toEqual({
      tone: "warning",
      text: "Imported 3,000 spans in 150 traces from small3k.jsonl; the oldest 100 traces (2,000 spans) were evicted to stay within --max-spans",
    });
    const both = answer({ logRecords: 9, evicted: { traces: 1, spans: 1, logRecords: 4 } });
    expect(importOutcome("all.jsonl", both).text).toBe(
      "Imported 9 log records from all.jsonl; the oldest 1 trace (1 span) and 4 log records were evicted to stay within --max-spans / --max-logs",
    );
  });

  it("says what the store had already, and when a file brought nothing new", () => {
    const again = answer({ alreadyStored: { spans: 1200, logRecords: 2, dataPoints: 0 } });
    expect(importOutcome("all.jsonl", again)).toEqual({
      tone: "ok",
      text: "Nothing new in all.jsonl: 1,200 spans, 2 log records already stored",
    });
    const some = answer({ traces: 1, spans: 3, alreadyStored: { spans: 1, logRecords: 0, dataPoints: 4 } });
    expect(importOutcome("more.jsonl", some).text).toBe(
      "Imported 3 spans in 1 trace from more.jsonl (1 span, 4 metric points already stored)",
    );
  });

  it("names the first unreadable part before rejections, and counts the rest", () => {
    const outcome = importOutcome(
      "x.jsonl",
      answer({
        traces: 1,
        spans: 2,
        rejected: 1,
        errors: [
          { where: "line 2", message: "rejected 1: bad id", rejectedItems: 1 },
          { where: "line 5", message: "body is not valid JSON" },
        ],
      }),
    );
    expect(outcome).toEqual({
      tone: "warning",
      text: "Imported 2 spans in 1 trace from x.jsonl; 1 rejected. line 5: body is not valid JSON (and 1 more problem)",
    });
  });

  it("words a refused file, and only reacts to drags that carry files", () => {
    expect(importFailure("n.txt", "byte 0: not OTLP")).toEqual({
      tone: "error",
      text: "Could not import n.txt: byte 0: not OTLP",
    });
    expect(carriesFiles(["Files"])).toBe(true);
    expect(carriesFiles(["text/plain"])).toBe(false);
    expect(carriesFiles(undefined)).toBe(false);
  });
});

describe("notice while importing", () => {
  it("names the file, how far it is, and the files waiting after it", () => {
    expect(importingNotice("a.json", null, [])).toBe("Importing a.json…");
    expect(importingNotice("big.jsonl", 0.427, [])).toBe("Importing big.jsonl (42%)…");
    expect(importingNotice("big.jsonl", 1, ["b.json"])).toBe("Importing big.jsonl (99%)… then b.json");
    expect(importingNotice("a.json", null, ["b.json", "c.json", "d.json"])).toBe(
      "Importing a.json… then b.json, c.json, d.json",
    );
    expect(importingNotice("a.json", null, ["b", "c", "d", "e"])).toBe(
      "Importing a.json… then b, c, d and 1 more file",
    );
    expect(importingNotice("a.json", null, ["b", "c", "d", "e", "f"])).toBe(
      "Importing a.json… then b, c, d and 2 more files",
    );
  });
});
