import { describe, expect, it } from "vitest";
import { maskSecrets } from "../../src/domain/secret-scan";
import {
  containerPreview,
  flattenTree,
  previewText,
  quotedText,
  showMore,
  type TreeRow,
  toggleNode,
  typeBadge,
  type ValueRow,
  valueType,
} from "../../web/src/features/snapshots/variable-tree";

const values = (rows: TreeRow[]) => rows.filter((row): row is ValueRow => row.kind === "value");
const keys = (rows: TreeRow[]) =>
  rows.map((row) => (row.kind === "value" ? `${row.depth}:${row.key}` : `more:${row.id}`));

const variables = {
  user_id: 42,
  cart: { items: [{ sku: "A-1", qty: 2 }], total: 59.9, coupon: null },
  express: true,
  note: "gift",
};

describe("variable tree", () => {
  it("types every JSON value, with key counts and lengths on containers", () => {
    expect([null, "a", 1, true, {}, []].map(valueType)).toEqual([
      "null",
      "string",
      "number",
      "boolean",
      "object",
      "array",
    ]);
    expect(typeBadge("object", 3)).toBe("object {3}");
    expect(typeBadge("array", 12)).toBe("array [12]");
    expect(typeBadge("array", 12_000)).toBe("array [12,000]");
    expect(typeBadge("string", 0)).toBe("string");
  });

  it("shows an integer past 2^53 (a bigint from parseJsonExact) as a number, and masks it by its name", () => {
    const rows = values(flattenTree({ order_id: 9007199254740993n, api_key: 12345678901234567890n }));
    expect(rows.map((row) => [row.key, row.type, String(row.value)])).toEqual([
      ["order_id", "number", "9007199254740993"],
      ["api_key", "number", "12345678901234567890"],
    ]);
    expect(rows[0]?.secret).toBeNull();
    expect(rows[1]?.secret?.kind).toBe("sensitive_name");
  });

  it("opens the top-level variables and keeps deeper containers closed", () => {
    const rows = flattenTree(variables);
    expect(keys(rows)).toEqual(["0:user_id", "0:cart", "1:items", "1:total", "1:coupon", "0:express", "0:note"]);
    const cart = values(rows)[1] as ValueRow;
    expect(cart).toMatchObject({ type: "object", childCount: 3, expanded: true, id: "/cart" });
    expect(values(rows)[2]).toMatchObject({ type: "array", childCount: 1, expanded: false, id: "/cart/items" });
  });

  it("opens and closes nodes the reader toggles", () => {
    let toggled = toggleNode(new Set(), "/cart/items");
    let rows = flattenTree(variables, { toggled, shown: new Map() });
    expect(keys(rows)).toContain("2:0");
    expect(keys(rows)).not.toContain("3:sku");
    toggled = toggleNode(toggled, "/cart");
    rows = flattenTree(variables, { toggled, shown: new Map() });
    expect(keys(rows)).toEqual(["0:user_id", "0:cart", "0:express", "0:note"]);
    expect(toggleNode(toggleNode(new Set(), "/x"), "/x").size).toBe(0);
  });

  it("lists a page of children, then more on request", () => {
    const big = { ids: Array.from({ length: 1000 }, (_, i) => i) };
    const options = { openDepth: 2, openMaxChildren: 2000, pageSize: 50 };
    let rows = flattenTree(big, undefined, options);
    expect(rows).toHaveLength(1 + 50 + 1);
    const more = rows.at(-1);
    expect(more).toEqual({ kind: "more", id: "/ids", depth: 1, shown: 50, total: 1000 });
    const shown = showMore(new Map(), more as Extract<TreeRow, { kind: "more" }>, 50);
    rows = flattenTree(big, { toggled: new Set(), shown }, options);
    expect(rows).toHaveLength(1 + 250 + 1);
    expect(showMore(new Map(), { kind: "more", id: "/ids", depth: 1, shown: 990, total: 1000 }, 50).get("/ids")).toBe(
      1000,
    );
  });

  it("starts a big container closed even at an open depth", () => {
    const rows = values(flattenTree({ ids: Array.from({ length: 100 }, (_, i) => i), small: [1] }));
    expect(rows.map((row) => [row.id, row.expanded])).toEqual([
      ["/ids", false],
      ["/small", true],
      ["/small/0", false],
    ]);
  });

  it("stays cheap on a deep, wide tree: only open nodes become rows (no timing: machines differ)", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 5000; i++) deep = { next: deep, pad: Array.from({ length: 100 }, () => i) };
    const rows = flattenTree({ deep });
    expect(keys(rows)).toEqual(["0:deep", "1:next", "1:pad"]);
  });

  it("keeps ids apart for keys with slashes and indexes", () => {
    const rows = values(
      flattenTree({ "a/b": { c: 1 }, a: { "b/c": 2 } }, undefined, {
        openDepth: 2,
        openMaxChildren: 2000,
        pageSize: 50,
      }),
    );
    const ids = rows.map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
    const list = values(flattenTree(["x", "y"]));
    expect(list.map((row) => [row.key, row.isIndex])).toEqual([
      ["0", true],
      ["1", true],
    ]);
  });

  it("shows a root that is not a container as one row", () => {
    expect(flattenTree("just text")).toMatchObject([{ kind: "value", key: null, type: "string", depth: 0 }]);
  });

  it("flags secrets by value, by name, and below a sensitive name; marks SDK redactions", () => {
    const rows = values(
      flattenTree(
        {
          contact: "jane@example.com",
          password: "hunter2",
          auth_secret: { user: "jane", pass: "x" },
          email: "[REDACTED:email]",
          roles: ["admin"],
        },
        undefined,
        { openDepth: 2, openMaxChildren: 2000, pageSize: 50 },
      ),
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get("/contact")?.secret?.kind).toBe("email");
    expect(byId.get("/password")?.secret?.kind).toBe("sensitive_name");
    expect(byId.get("/auth_secret")?.secret).toBeNull();
    expect(byId.get("/auth_secret/user")?.secret?.kind).toBe("sensitive_name");
    expect(byId.get("/email")).toMatchObject({ secret: null, redacted: "email" });
    expect(byId.get("/roles/0")?.secret).toBeNull();
  });

  it("escapes the quotes and backslashes inside a string, so its own quotes end it", () => {
    expect(quotedText('say "hi", "there"')).toBe('say \\"hi\\", \\"there\\"');
    expect(quotedText("C:\\temp")).toBe("C:\\\\temp");
    expect(quotedText("two\nlines")).toBe("two\nlines");
  });

  it("previews long strings and collapsed containers", () => {
    expect(previewText("short")).toEqual({ text: "short", truncated: false });
    const long = previewText("x".repeat(500), 160);
    expect(long.text).toHaveLength(160);
    expect(long.truncated).toBe(true);
    // Never splits a surrogate pair.
    expect(previewText(`${"x".repeat(159)}😀tail`, 160).text).toBe("x".repeat(159));
    expect(containerPreview({ a: 1, b: 2, c: 3, d: 4, e: 5 }, "object")).toBe("{a, b, c, d, …}");
    expect(containerPreview({}, "object")).toBe("{}");
    expect(containerPreview([1], "array")).toBe("[1 item]");
    expect(containerPreview(Array(1500).fill(0), "array")).toBe("[1,500 items]");
  });
});

describe("MCP's masking and the tree", () => {
  const variables = {
    password: "hunter2!",
    user: { name: "Ada", email: "ada@example.com", "a.b": "[REDACTED:email]" },
    api_key: { list: ["plain", 7], nested: { value: "x" } },
    cards: ["4111 1111 1111 1111", "not a card"],
    url: "/checkout?coupon=SAVE10&token=abc",
    headers: { Authorization: "Basic abc", accept: "json" },
  };

  it("masks exactly the values the page's variable tree shows masked", () => {
    const all = { openDepth: 99, openMaxChildren: 1_000, pageSize: 1_000 };
    const flagged = flattenTree(variables, undefined, all)
      .filter((row): row is ValueRow => row.kind === "value" && row.secret !== null)
      .map((row) => row.id);
    const pathId = (path: string) =>
      `/${path
        .replace(/\[(\d+)\]/g, ".$1")
        .split(".")
        .map(encodeURIComponent)
        .join("/")}`;
    expect(maskSecrets(variables).masked.map((m) => pathId(m.path))).toEqual(flagged);
  });
});
