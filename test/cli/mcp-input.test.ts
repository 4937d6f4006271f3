import { describe, expect, it } from "vitest";
import { WithoutBlankLines } from "../../src/cli/mcp.js";

/** What the filter passes on for `chunks` written one after the other. */
async function through(chunks: string[]): Promise<string> {
  const filter = new WithoutBlankLines();
  const out: Buffer[] = [];
  filter.on("data", (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => filter.on("end", resolve));
  for (const chunk of chunks) filter.write(Buffer.from(chunk));
  filter.end();
  await ended;
  return Buffer.concat(out).toString();
}

describe("mcp's stdin without blank lines", () => {
  it("drops blank lines and keeps every other line whole, however the chunks cut them", async () => {
    expect(await through(['{"id":1}\n\n  \r\n{"id":2}\n'])).toBe('{"id":1}\n{"id":2}\n');
    expect(await through(['{"i', 'd":1}\n ', "\t\n", '{"id":2}'])).toBe('{"id":1}\n{"id":2}');
    // A line that is not blank stays, whatever it holds: the transport says why it skips it.
    expect(await through(["hello\n", "\n", " x \n"])).toBe("hello\n x \n");
    // A character cut between two chunks arrives whole.
    const text = '{"name":"é"}\n';
    const bytes = Buffer.from(text);
    const filter = new WithoutBlankLines();
    const out: Buffer[] = [];
    filter.on("data", (chunk: Buffer) => out.push(chunk));
    filter.write(bytes.subarray(0, 10));
    filter.end(bytes.subarray(10));
    await new Promise((resolve) => filter.on("end", resolve));
    expect(Buffer.concat(out).toString()).toBe(text);
  });
});
