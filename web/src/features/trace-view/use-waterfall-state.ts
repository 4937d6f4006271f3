import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { stepError, traceErrors } from "./error-model";
import { createTraceSearch, stepMatch } from "./trace-search";
import { pushSpanParam, readSpanParam, stepBetween, writeSpanParam } from "./url-state";
import type { Reveal } from "./Waterfall";
import {
  ancestorIds,
  collapsibleIds,
  expandAncestors,
  visibleRows,
  type WaterfallNode,
  type WaterfallTree,
} from "./waterfall-model";

/**
 * How a selection came about: a click needs no scrolling, a search jump also expands the path, and
 * following a link to the span (`follow`) does as a jump and is a step Back undoes.
 */
export type SelectHow = "click" | "keyboard" | "jump" | "follow";

const NO_IDS: ReadonlySet<string> = new Set();

/**
 * Selection, collapsed spans and find-in-trace for one trace. All of it is keyed by span id, so it
 * survives a live update that replaces the tree.
 */
export function useWaterfallState(tree: WaterfallTree) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(NO_IDS);
  const [selectedId, setSelectedId] = useState<string | null>(readSpanParam);
  // A deep link scrolls its span into view once it is in the tree (now, or after a live update).
  const [reveal, setReveal] = useState<Reveal | null>(() =>
    selectedId ? { spanId: selectedId, align: "center", seq: 0 } : null,
  );
  const seq = useRef(0);
  const [query, setQuery] = useState("");
  /** The deep-linked span, until it is in the tree (it may arrive with a later live update). */
  const pendingDeepLink = useRef(selectedId);
  useEffect(() => {
    const node = pendingDeepLink.current === null ? undefined : tree.byId.get(pendingDeepLink.current);
    if (!node) return;
    pendingDeepLink.current = null;
    setCollapsed((previous) => expandAncestors(previous, node));
  }, [tree]);

  const rows = useMemo(() => visibleRows(tree, collapsed), [tree, collapsed]);
  const errors = useMemo(() => traceErrors(tree), [tree]);
  // Until a span is chosen, a failing trace opens on the span where its failure started.
  const selected: WaterfallNode | null =
    (selectedId !== null ? tree.byId.get(selectedId) : undefined) ?? errors.origin ?? tree.root;
  const revealedOrigin = useRef<string | null>(null);
  useEffect(() => {
    const origin = errors.origin;
    if (selectedId !== null || origin === null || revealedOrigin.current === origin.spanId) return;
    revealedOrigin.current = origin.spanId;
    seq.current++;
    setReveal({ spanId: origin.spanId, align: "center", seq: seq.current });
    setCollapsed((previous) => expandAncestors(previous, origin));
  }, [errors, selectedId]);
  const pathIds = useMemo(() => new Set(ancestorIds(selected)), [selected]);
  const search = useMemo(() => createTraceSearch(tree.nodes.map((node) => node.span)), [tree]);
  const matches = useMemo(() => search.find(query), [search, query]);
  const matchIds = useMemo(() => (matches.length === 0 ? NO_IDS : new Set(matches)), [matches]);
  const currentMatch = selected ? matches.indexOf(selected.spanId) : -1;
  // Spans above a match: a collapsed one among them says that it hides a match.
  const matchAncestorIds = useMemo(() => {
    const ids = new Set<string>();
    for (const id of matches) {
      for (let node = tree.byId.get(id)?.parent; node && !ids.has(node.spanId); node = node.parent)
        ids.add(node.spanId);
    }
    return ids;
  }, [matches, tree]);

  // The history state of the entry shown: a Back or Forward compares it with the state of the entry
  // it lands on. It is noted when it changes (a push, here or by zooming, and a return), never read
  // back later: the router re-renders the page for the entry a Back lands on before the page hears of
  // that Back, so an effect still pending from a render before it (a Back soon after another, before
  // the next frame) would note the entry landed on as the one left, and the return would keep the
  // selection of the entry left.
  const shownEntry = useRef<unknown>(history.state);

  const select = (spanId: string, how: SelectHow) => {
    pendingDeepLink.current = null;
    // Following a link to the span already shown changes nothing, so it is no step to undo either.
    if (how === "follow" && spanId !== selected?.spanId) {
      pushSpanParam(spanId);
      shownEntry.current = history.state;
    } else writeSpanParam(spanId);
    setSelectedId(spanId);
    if (how === "click") return;
    seq.current++;
    setReveal({ spanId, align: how === "keyboard" ? "nearest" : "center", seq: seq.current });
    if (how !== "keyboard") setCollapsed((previous) => expandAncestors(previous, tree.byId.get(spanId)));
  };

  /**
   * After Back or Forward to another entry of this trace: when that undid (or redid) following a link
   * to a span, selects the span that entry names and says so (true); else the selection stays, and
   * the caller writes it into the entry.
   */
  const returnToEntry = (): boolean => {
    const step = stepBetween(shownEntry.current, history.state);
    shownEntry.current = history.state;
    if (step !== "span") return false;
    const spanId = readSpanParam();
    pendingDeepLink.current = null;
    setSelectedId(spanId);
    if (spanId === null) return true;
    seq.current++;
    setReveal({ spanId, align: "center", seq: seq.current });
    setCollapsed((previous) => expandAncestors(previous, tree.byId.get(spanId)));
    return true;
  };

  const jumpToMatch = (found: readonly string[], current: number, direction: 1 | -1) => {
    const position = {
      selectedIndex: selected?.index ?? 0,
      indexOf: (id: string) => tree.byId.get(id)?.index ?? -1,
    };
    const index = stepMatch(found, current, direction, position);
    const target = found[index];
    if (target !== undefined) select(target, "jump");
  };

  const rowOf = (node: WaterfallNode | null) =>
    node === null ? -1 : rows === tree.nodes ? node.index : rows.indexOf(node);

  const toggle = (spanId: string) => {
    const node = tree.byId.get(spanId);
    if (!node?.hasChildren) return;
    const collapsing = !collapsed.has(spanId);
    setCollapsed((previous) => {
      const next = new Set(previous);
      if (next.has(spanId)) next.delete(spanId);
      else next.add(spanId);
      return next;
    });
    // Hiding the selected span would leave the keyboard nowhere: select the span being collapsed.
    if (collapsing && selected && ancestorIds(selected).includes(spanId)) select(spanId, "keyboard");
  };

  return {
    rows,
    collapsed,
    selected,
    selectedId,
    reveal,
    pathIds,
    query,
    matches,
    matchIds,
    matchAncestorIds,
    currentMatch,
    errors,
    select,
    returnToEntry,
    /** After the page pushed an entry of its own (zooming in): that entry is the one shown now. */
    pushedEntry() {
      shownEntry.current = history.state;
    },
    toggle,
    /** Selects the next (1) or previous (-1) failing span in waterfall order, wrapping around. */
    stepError(direction: 1 | -1) {
      const node = stepError(errors.nodes, selected?.index ?? -1, direction);
      if (node) select(node.spanId, "jump");
    },
    collapseAll() {
      setCollapsed(collapsibleIds(tree));
      let top = selected;
      while (top?.parent) top = top.parent;
      if (top) select(top.spanId, "keyboard");
    },
    expandAll() {
      setCollapsed(NO_IDS);
      if (selected) select(selected.spanId, "keyboard");
    },
    setQuery(value: string) {
      setQuery(value);
      // Like a browser's find: typing goes to the first match at or below the selection.
      const found = search.find(value);
      if (found.length > 0) jumpToMatch(found, -1, 1);
    },
    stepMatch(direction: 1 | -1) {
      jumpToMatch(matches, currentMatch, direction);
    },
    move(delta: number) {
      if (rows.length === 0) return;
      const index = rowOf(selected);
      const next = Math.min(rows.length - 1, Math.max(0, index < 0 ? 0 : index + delta));
      select(rows[next]!.spanId, "keyboard");
    },
    edge(which: "first" | "last") {
      const node = which === "first" ? rows[0] : rows[rows.length - 1];
      if (node) select(node.spanId, "keyboard");
    },
    left() {
      if (!selected) return;
      if (selected.hasChildren && !collapsed.has(selected.spanId)) toggle(selected.spanId);
      else if (selected.parent) select(selected.parent.spanId, "keyboard");
    },
    right() {
      if (!selected?.hasChildren) return;
      if (collapsed.has(selected.spanId)) toggle(selected.spanId);
      else select(selected.children[0]!.spanId, "keyboard");
    },
  };
}
