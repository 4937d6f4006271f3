import { useEffect, useState } from "preact/hooks";
import { MAX_TRACE_IDS, type SpanLinkJson, type TraceSummaryJson } from "../../../../src/protocol";
import { api } from "../../api/client";

/** A link's trace and span as one key. */
export function linkKey(link: { traceId: string; spanId: string }): string {
  return `${link.traceId}/${link.spanId}`;
}

/**
 * Whether each link to another stored trace points at a span that trace holds (by link key; absent
 * while asked or when the question failed). A link may name a span its trace never sent, or one
 * evicted with it: the link then says so, rather than read as the trace's root. One request per link
 * (the server reads the linked trace alone for the span), for at most MAX_TRACE_IDS links.
 */
export function useLinkedSpans(
  links: readonly SpanLinkJson[],
  linkedTraces: ReadonlyMap<string, TraceSummaryJson | "missing" | null>,
): ReadonlyMap<string, boolean> {
  const asked = links
    .filter((link) => {
      const trace = linkedTraces.get(link.traceId);
      return trace !== undefined && trace !== null && trace !== "missing";
    })
    .slice(0, MAX_TRACE_IDS);
  const key = [...new Set(asked.map(linkKey))].join(",");
  const [found, setFound] = useState<ReadonlyMap<string, boolean>>(new Map());
  useEffect(() => {
    if (key === "") return;
    const controller = new AbortController();
    const pairs = key.split(",").map((k) => {
      const [traceId, spanId] = k.split("/") as [string, string];
      return { traceId, spanId };
    });
    Promise.all(
      pairs.map((pair) =>
        api
          .spanTrace(pair.spanId, controller.signal, pair.traceId)
          .then((answer) => [linkKey(pair), answer?.traceId === pair.traceId] as const),
      ),
    )
      .then((answers) => setFound(new Map(answers)))
      // Unknown then: the link reads as its trace, as before.
      .catch(() => undefined);
    return () => controller.abort();
  }, [key]);
  return found;
}
