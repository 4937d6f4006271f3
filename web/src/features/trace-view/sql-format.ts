/**
 * A small, forgiving SQL pretty-printer for the span details: line breaks before clauses
 * (FROM, WHERE, JOIN, GROUP BY, …), AND/OR of a WHERE on their own lines, subqueries indented.
 * It only changes whitespace between tokens: strings, comments, identifiers and case stay as
 * written, so the text shown is always the statement that ran.
 */

type TokenKind = "space" | "word" | "string" | "comment" | "line-comment" | "open" | "close" | "semicolon" | "other";

interface Token {
  kind: TokenKind;
  text: string;
}

function readQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2; // doubled quote: an escaped quote inside the literal
        continue;
      }
      return i + 1;
    }
    if (sql[i] === "\\" && quote === "'") i++;
    i++;
  }
  return sql.length;
}

export function tokenizeSql(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    let end = i + 1;
    let kind: TokenKind = "other";
    if (/\s/.test(c)) {
      while (end < sql.length && /\s/.test(sql[end]!)) end++;
      kind = "space";
    } else if (c === "-" && sql[i + 1] === "-") {
      end = sql.indexOf("\n", i);
      if (end === -1) end = sql.length;
      kind = "line-comment";
    } else if (c === "#" && /(^|\n)[ \t]*$/.test(sql.slice(Math.max(0, i - 200), i))) {
      // MySQL's `# comment`, only at the start of a line, where it cannot be Postgres's # operator.
      end = sql.indexOf("\n", i);
      if (end === -1) end = sql.length;
      kind = "line-comment";
    } else if (c === "/" && sql[i + 1] === "*") {
      end = sql.indexOf("*/", i + 2);
      end = end === -1 ? sql.length : end + 2;
      kind = "comment";
    } else if (c === "'" || c === '"' || c === "`") {
      end = readQuoted(sql, i, c);
      kind = "string";
    } else if (/[A-Za-z_\u00c0-\uffff]/.test(c)) {
      while (end < sql.length && /[\w$\u00c0-\uffff]/.test(sql[end]!)) end++;
      kind = "word";
    } else if (c === "(") kind = "open";
    else if (c === ")") kind = "close";
    else if (c === ";") kind = "semicolon";
    tokens.push({ kind, text: sql.slice(i, end) });
    i = end;
  }
  return tokens;
}

/** Clauses that start on their own line. */
const CLAUSES = new Set([
  "select",
  "from",
  "where",
  "having",
  "limit",
  "offset",
  "values",
  "set",
  "union",
  "intersect",
  "except",
  "returning",
]);
const JOIN_MODIFIERS = new Set(["left", "right", "full", "inner", "outer", "cross", "natural"]);
const SUBQUERY_STARTS = new Set(["select", "with", "insert", "update", "delete"]);

interface Level {
  subquery: boolean;
  clause: string;
  between: boolean;
  caseDepth: number;
}

/** Does this look like SQL (and not, say, a Redis command or a MongoDB JSON query)? */
export function looksLikeSql(text: string): boolean {
  const body = text.replace(/^(\s|\/\*[\s\S]*?\*\/|--[^\n]*\n)*/, "").replace(/^\(+\s*/, "");
  return /^(select|insert|update|delete|with|merge|replace|upsert|explain|create|alter|drop|truncate|call|values|begin|commit|rollback|show|pragma)\b/i.test(
    body,
  );
}

export function formatSql(sql: string, indentUnit = "  "): string {
  const tokens = tokenizeSql(sql.trim());
  const words: (string | null)[] = tokens.map((t) => (t.kind === "word" ? t.text.toLowerCase() : null));
  /** The next token that is not whitespace or a comment, from index `from`. */
  const nextSolid = (from: number): number => {
    let j = from;
    while (j < tokens.length && (tokens[j]!.kind === "space" || tokens[j]!.kind === "comment")) j++;
    return j;
  };
  const levels: Level[] = [{ subquery: true, clause: "", between: false, caseDepth: 0 }];
  let out = "";
  let pendingSpace = false;
  let forceBreak = false;
  let previousWord: string | null = null;

  const indentOf = (extra: number) => {
    const depth = levels.filter((level) => level.subquery).length - 1;
    return indentUnit.repeat(Math.max(0, depth + extra));
  };
  const newline = (extra: number) => {
    out = out.replace(/[ \t]+$/, "");
    if (out !== "") out += `\n${indentOf(extra)}`;
    pendingSpace = false;
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const level = levels[levels.length - 1]!;
    if (token.kind === "space") {
      pendingSpace = true;
      continue;
    }
    let breakBefore = forceBreak;
    let extraIndent = 0;
    forceBreak = false;
    const word = words[i] ?? null;

    if (word !== null && level.subquery && level.caseDepth === 0) {
      const next = words[nextSolid(i + 1)] ?? null;
      if (CLAUSES.has(word) && !(word === "from" && (previousWord === "delete" || previousWord === "distinct"))) {
        breakBefore = true;
        level.clause = word;
      } else if ((word === "group" || word === "order") && next === "by") {
        breakBefore = true;
        level.clause = word;
      } else if (word === "on" && next === "conflict") {
        breakBefore = true;
        level.clause = word;
      } else if ((word === "join" || JOIN_MODIFIERS.has(word)) && !JOIN_MODIFIERS.has(previousWord ?? "")) {
        if (word === "join" || startsJoin(words, tokens, i, nextSolid)) {
          breakBefore = true;
          level.clause = "join";
        }
      } else if ((word === "and" || word === "or") && (level.clause === "where" || level.clause === "having")) {
        if (word === "and" && level.between) level.between = false;
        else {
          breakBefore = true;
          extraIndent = 1;
        }
      }
    }
    if (word === "between") level.between = true;
    else if (word === "case") level.caseDepth++;
    else if (word === "end" && level.caseDepth > 0) level.caseDepth--;

    if (breakBefore) newline(extraIndent);
    else if (pendingSpace && out !== "" && !out.endsWith("\n")) out += " ";
    pendingSpace = false;
    out += token.kind === "line-comment" ? token.text.trimEnd() : token.text;

    if (token.kind === "open") {
      const first = words[nextSolid(i + 1)] ?? "";
      levels.push({ subquery: SUBQUERY_STARTS.has(first), clause: "", between: false, caseDepth: 0 });
    } else if (token.kind === "close" && levels.length > 1) {
      levels.pop();
    } else if (token.kind === "semicolon") {
      levels.length = 1;
      levels[0] = { subquery: true, clause: "", between: false, caseDepth: 0 };
      forceBreak = true;
    } else if (token.kind === "line-comment") {
      forceBreak = true; // what follows `-- …` must not end up inside the comment
    }
    if (token.kind !== "comment" && token.kind !== "line-comment") previousWord = word;
  }
  return out;
}

/** LEFT / INNER / … start a join only when JOIN follows after nothing but more modifiers. */
function startsJoin(
  words: readonly (string | null)[],
  tokens: readonly Token[],
  at: number,
  nextSolid: (from: number) => number,
): boolean {
  let j = at;
  for (let steps = 0; steps < 4 && j < tokens.length; steps++) {
    const word = words[j];
    if (word === "join") return true;
    if (word === null || word === undefined || !JOIN_MODIFIERS.has(word)) return false;
    j = nextSolid(j + 1);
  }
  return false;
}
