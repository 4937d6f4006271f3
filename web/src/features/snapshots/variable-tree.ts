/**
 * A snapshot's variables as the rows of an expandable, typed tree. Pure: the rows are a function of
 * (value, which nodes the reader toggled, how many children each shows), so a tree of any size costs
 * only the rows on screen: nodes below `openDepth` start collapsed and a node lists `pageSize`
 * children until the reader asks for more.
 */
import { textPrefix } from "../../../../src/domain/long-text";
import { findSecret, redactionMarker, type SecretFinding, sensitiveBelow } from "../../../../src/domain/secret-scan";
import { formatCount } from "../../lib/format";

export type ValueType = "string" | "number" | "boolean" | "null" | "object" | "array";

export interface ValueRow {
  kind: "value";
  /** Stable per path, e.g. `/user/roles/0`. */
  id: string;
  depth: number;
  /** Property name or array index; null for a root that is not an object or array. */
  key: string | null;
  isIndex: boolean;
  type: ValueType;
  value: unknown;
  /** Keys of an object, items of an array; 0 otherwise. */
  childCount: number;
  expanded: boolean;
  /** Set when the value still looks like a secret: shown masked until revealed. */
  secret: SecretFinding | null;
  /** The SDK's redaction marker type ("email", "" for a bare `[REDACTED]`), or null. */
  redacted: string | null;
}

export interface MoreRow {
  kind: "more";
  /** The id of the node whose children continue. */
  id: string;
  depth: number;
  shown: number;
  total: number;
}

export type TreeRow = ValueRow | MoreRow;

export interface TreeView {
  /** Nodes whose open state differs from the default for their depth. */
  toggled: ReadonlySet<string>;
  /** Children shown per node, where more than `pageSize` were asked for. */
  shown: ReadonlyMap<string, number>;
}

export interface TreeOptions {
  /** Nodes shallower than this start open: 1 opens the top-level variables. */
  openDepth: number;
  /** ...unless they hold more children than this: a big array starts closed at any depth. */
  openMaxChildren: number;
  pageSize: number;
}

export const DEFAULT_TREE_OPTIONS: TreeOptions = { openDepth: 1, openMaxChildren: 25, pageSize: 50 };

export const EMPTY_VIEW: TreeView = { toggled: new Set(), shown: new Map() };

export function valueType(value: unknown): ValueType {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
    case "bigint":
      return "number";
    case "boolean":
      return "boolean";
    default:
      return "object";
  }
}

/** The badge beside a value: its type, with the key count or length of a container. */
export function typeBadge(type: ValueType, childCount: number): string {
  if (type === "object") return `object {${formatCount(childCount)}}`;
  if (type === "array") return `array [${formatCount(childCount)}]`;
  return type;
}

function childEntries(value: unknown): [string, unknown][] {
  if (Array.isArray(value)) return value.map((item, index) => [String(index), item]);
  return Object.entries(value as Record<string, unknown>);
}

function childCountOf(value: unknown, type: ValueType): number {
  if (type === "array") return (value as unknown[]).length;
  if (type === "object") return Object.keys(value as object).length;
  return 0;
}

export function isOpen(id: string, depth: number, childCount: number, view: TreeView, options: TreeOptions): boolean {
  const openByDefault = depth < options.openDepth && childCount <= options.openMaxChildren;
  return openByDefault !== view.toggled.has(id);
}

/** The rows on screen for a value: a root object or array shows its children at depth 0. */
export function flattenTree(root: unknown, view: TreeView = EMPTY_VIEW, options = DEFAULT_TREE_OPTIONS): TreeRow[] {
  const rows: TreeRow[] = [];
  const rootType = valueType(root);
  if (rootType === "object" || rootType === "array") {
    addChildren(rows, root, rootType, "", -1, false, view, options);
  } else {
    rows.push(valueRow(root, null, false, "/", 0, false, view, options));
  }
  return rows;
}

function addChildren(
  rows: TreeRow[],
  value: unknown,
  type: ValueType,
  id: string,
  depth: number,
  sensitive: boolean,
  view: TreeView,
  options: TreeOptions,
): void {
  const entries = childEntries(value);
  const limit = Math.max(options.pageSize, view.shown.get(id) ?? 0);
  const isIndex = type === "array";
  for (let i = 0; i < entries.length && i < limit; i++) {
    const [key, child] = entries[i] as [string, unknown];
    const childId = `${id}/${encodeURIComponent(key)}`;
    const row = valueRow(child, key, isIndex, childId, depth + 1, sensitive, view, options);
    rows.push(row);
    if (row.expanded)
      addChildren(rows, child, row.type, childId, depth + 1, sensitiveBelow(sensitive, key, isIndex), view, options);
  }
  if (entries.length > limit) rows.push({ kind: "more", id, depth: depth + 1, shown: limit, total: entries.length });
}

function valueRow(
  value: unknown,
  key: string | null,
  isIndex: boolean,
  id: string,
  depth: number,
  underSensitiveName: boolean,
  view: TreeView,
  options: TreeOptions,
): ValueRow {
  const type = valueType(value);
  const childCount = childCountOf(value, type);
  const container = type === "object" || type === "array";
  return {
    kind: "value",
    id,
    depth,
    key,
    isIndex,
    type,
    value,
    childCount,
    expanded: container && childCount > 0 && isOpen(id, depth, childCount, view, options),
    secret: container ? null : findSecret(value, isIndex ? null : key, underSensitiveName),
    redacted: typeof value === "string" ? redactionMarker(value) : null,
  };
}

/** `toggled` after the reader opens or closes one node. */
export function toggleNode(toggled: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(toggled);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/** How many more children "show more" adds: a few pages at a time. */
export function moreCount(row: MoreRow, pageSize: number): number {
  return Math.min(row.total - row.shown, pageSize * 4);
}

/** `shown` after the reader asks for more of a node's children. */
export function showMore(shown: ReadonlyMap<string, number>, row: MoreRow, pageSize: number): Map<string, number> {
  const next = new Map(shown);
  next.set(row.id, row.shown + moreCount(row, pageSize));
  return next;
}

/** Beyond this many characters a string shows its start and a button for the rest. */
export const STRING_PREVIEW_CHARS = 160;

/** The start of a long string (at most `max` characters, never splitting a surrogate pair). */
export function previewText(text: string, max = STRING_PREVIEW_CHARS): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  return { text: textPrefix(text, max), truncated: true };
}

/**
 * A string's text as shown between the quotes the page puts around it: each quote and backslash in it
 * escaped (`say \"hi\"`), as JSON writes them, so the string's end stays where the closing quote is.
 * Line breaks stay as they are: an opened long text reads as text.
 */
export function quotedText(text: string): string {
  return text.replace(/["\\]/g, (c) => `\\${c}`);
}

/** A one-line view of a collapsed container: `{id, total, items…}` or `[3 items]`. */
export function containerPreview(value: unknown, type: ValueType, maxKeys = 4): string {
  if (type === "array") {
    const length = (value as unknown[]).length;
    return `[${formatCount(length)} item${length === 1 ? "" : "s"}]`;
  }
  const keys = Object.keys(value as object);
  if (keys.length === 0) return "{}";
  const shown = keys.slice(0, maxKeys).join(", ");
  return `{${shown}${keys.length > maxKeys ? ", …" : ""}}`;
}
