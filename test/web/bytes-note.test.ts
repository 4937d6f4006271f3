import { describe, expect, it } from "vitest";
import { bytesNote, nestedBytes, nestedBytesNotes } from "../../web/src/lib/bytes-note";

describe("bytesNote", () => {
  it("counts the bytes base64 text stands for, padding left out", () => {
    expect(bytesNote("3q2+7w==")).toBe("base64 of 4 bytes");
    expect(bytesNote("AQID+g==")).toBe("base64 of 4 bytes");
    expect(bytesNote("AQI=")).toBe("base64 of 2 bytes");
    expect(bytesNote("AQ==")).toBe("base64 of 1 byte");
    expect(bytesNote("AQID")).toBe("base64 of 3 bytes");
    expect(bytesNote("")).toBe("base64 of 0 bytes");
    expect(bytesNote("A".repeat(4000))).toBe("base64 of 3,000 bytes");
  });
});

describe("nestedBytes", () => {
  it("names each bytes value inside a list or map by where it is, and skips paths that lead to no text", () => {
    const value = ["a.txt", { id: "AAECAwQ=", "content-md5": "AAE=", "a b": "AQ==" }];
    expect(nestedBytes(value, [[1, "id"], [1, "content-md5"], [1, "a b"], [0, "id"], [5], [1]])).toEqual([
      { at: "[1].id", base64: "AAECAwQ=" },
      { at: "[1].content-md5", base64: "AAE=" },
      { at: '[1]["a b"]', base64: "AQ==" },
    ]);
  });
});

describe("nestedBytesNotes", () => {
  const digests = Array.from({ length: 40 }, (_, i) => Buffer.from([i, i]).toString("base64"));
  const paths = digests.map((_, i) => [i]);

  it("gives each of a few bytes values its own note", () => {
    const { notes, rest } = nestedBytesNotes(digests.slice(0, 4), paths.slice(0, 4));
    expect(notes.map((note) => note.at)).toEqual(["[0]", "[1]", "[2]", "[3]"]);
    expect(rest).toBeNull();
  });

  it("past four, shows the first three and counts the rest in one note that lists them", () => {
    const { notes, rest } = nestedBytesNotes(digests, paths);
    expect(notes.map((note) => note.at)).toEqual(["[0]", "[1]", "[2]"]);
    expect(rest?.text).toBe("37 more sent as bytes");
    const lines = rest?.title.split("\n") ?? [];
    expect(lines[0]).toBe("[3]: base64 of 2 bytes");
    expect(lines).toHaveLength(31);
    expect(lines[29]).toBe("[32]: base64 of 2 bytes");
    expect(lines[30]).toBe("and 7 more");
    expect(nestedBytesNotes(digests.slice(0, 5), paths.slice(0, 5)).rest).toEqual({
      text: "2 more sent as bytes",
      title: "[3]: base64 of 2 bytes\n[4]: base64 of 2 bytes",
    });
  });
});
