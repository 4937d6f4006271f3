import { describe, expect, it } from "vitest";
import { formatSql, looksLikeSql } from "../../web/src/features/trace-view/sql-format";

describe("formatSql", () => {
  it("breaks before clauses and puts AND/OR of a WHERE on indented lines", () => {
    const sql =
      "SELECT u.id, count(*) FROM users u LEFT OUTER JOIN orders o ON o.user_id = u.id WHERE u.active = true AND o.total > 10 OR u.vip GROUP BY u.id HAVING count(*) > 1 ORDER BY u.id LIMIT 10 OFFSET 20";
    expect(formatSql(sql)).toBe(
      [
        "SELECT u.id, count(*)",
        "FROM users u",
        "LEFT OUTER JOIN orders o ON o.user_id = u.id",
        "WHERE u.active = true",
        "  AND o.total > 10",
        "  OR u.vip",
        "GROUP BY u.id",
        "HAVING count(*) > 1",
        "ORDER BY u.id",
        "LIMIT 10",
        "OFFSET 20",
      ].join("\n"),
    );
  });

  it("keeps keyword case, string literals and quoted identifiers exactly as written", () => {
    const sql = `select "from", 'a where b' from t where x = 'it''s' and y = 1`;
    expect(formatSql(sql)).toBe(`select "from", 'a where b'\nfrom t\nwhere x = 'it''s'\n  and y = 1`);
  });

  it("indents subqueries and leaves function arguments alone", () => {
    const sql = "SELECT EXTRACT(YEAR FROM ts) FROM t WHERE id IN (SELECT user_id FROM orders WHERE total > 100)";
    expect(formatSql(sql)).toBe(
      [
        "SELECT EXTRACT(YEAR FROM ts)",
        "FROM t",
        "WHERE id IN (",
        "  SELECT user_id",
        "  FROM orders",
        "  WHERE total > 100)",
      ].join("\n"),
    );
  });

  it("does not split BETWEEN … AND or a CASE expression", () => {
    expect(formatSql("SELECT CASE WHEN a AND b THEN 1 END FROM t WHERE x BETWEEN 1 AND 5 AND y = 2")).toBe(
      "SELECT CASE WHEN a AND b THEN 1 END\nFROM t\nWHERE x BETWEEN 1 AND 5\n  AND y = 2",
    );
  });

  it("formats INSERT, UPDATE and DELETE", () => {
    expect(
      formatSql("INSERT INTO users (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = $2 RETURNING id"),
    ).toBe("INSERT INTO users (id, name)\nVALUES ($1, $2)\nON CONFLICT (id) DO UPDATE\nSET name = $2\nRETURNING id");
    expect(formatSql("UPDATE accounts SET balance = balance - ? WHERE id = ?")).toBe(
      "UPDATE accounts\nSET balance = balance - ?\nWHERE id = ?",
    );
    expect(formatSql("DELETE FROM sessions WHERE expires_at < now()")).toBe(
      "DELETE FROM sessions\nWHERE expires_at < now()",
    );
  });

  it("collapses existing whitespace and keeps comments intact", () => {
    expect(formatSql("  SELECT   a\n\n  FROM t -- why\n WHERE b = 1 /* hint */  ")).toBe(
      "SELECT a\nFROM t -- why\nWHERE b = 1 /* hint */",
    );
  });

  it("starts each statement on its own line and handles UNION", () => {
    expect(formatSql("SELECT a FROM t1 UNION ALL SELECT a FROM t2; SELECT 1")).toBe(
      "SELECT a\nFROM t1\nUNION ALL\nSELECT a\nFROM t2;\nSELECT 1",
    );
  });

  it("never loses a character other than whitespace", () => {
    const sql = "WITH x AS (SELECT * FROM a WHERE b = 'x;y' AND c IN (1,2)) SELECT * FROM x JOIN y ON x.id = y.id;";
    const strip = (text: string) => text.replace(/\s+/g, "");
    expect(strip(formatSql(sql))).toBe(strip(sql));
  });

  it("survives unterminated strings and comments", () => {
    expect(formatSql("SELECT 'oops FROM t")).toBe("SELECT 'oops FROM t");
    expect(formatSql("SELECT a /* open FROM t")).toBe("SELECT a /* open FROM t");
  });
});

describe("looksLikeSql", () => {
  it("recognises SQL, also after a leading comment", () => {
    expect(looksLikeSql("select 1")).toBe(true);
    expect(looksLikeSql("/* app=shop */ SELECT * FROM t")).toBe(true);
    expect(looksLikeSql("WITH a AS (SELECT 1) SELECT * FROM a")).toBe(true);
  });

  it("leaves other query languages alone", () => {
    expect(looksLikeSql("SET session:42 value")).toBe(false);
    expect(looksLikeSql("HGETALL user:1")).toBe(false);
    expect(looksLikeSql('{"find":"users","filter":{}}')).toBe(false);
  });
});
