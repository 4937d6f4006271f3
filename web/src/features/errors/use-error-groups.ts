import { useCallback, useEffect, useRef } from "preact/hooks";
import type { ErrorGroupsResponse, LiveMessage } from "../../../../src/protocol";
import { api } from "../../api/client";
import { windowSince } from "../../components/TimeWindowSelect";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLatestFetch } from "../../lib/use-latest-fetch";
import { useLiveMessages } from "../../state/live-context";
import { withNextPage, withRefreshedHead } from "./errors-model";
import type { ErrorFilters } from "./errors-url";

/** Groups shown at first, and added by each "more": the server sorts and cuts. */
export const GROUP_PAGE = 200;
/**
 * Most groups a live refresh asks for, in one request: past them, the groups reached keep the counts they
 * were listed with (on the axis drawn), so that a refresh a second while traffic flows never has the server
 * build thousands of sparklines. Measured on 3,000 groups of 10 errors each in a 1h window: 200 groups take
 * 55 ms of the server and 0.4 MB, 400 take 60 ms and 0.8 MB, 1,000 take 107 ms and 1.9 MB, and all 3,000
 * (in pages of 1,000) 345 ms: two pages cost about what one does.
 */
export const REFRESH_GROUPS = 2 * GROUP_PAGE;

/** The sparklines' axis of an answer, for a request whose groups are drawn beside that answer's. */
function axisOf(answer: ErrorGroupsResponse): { bucketStart: string; bucketNanos: string } {
  return { bucketStart: answer.bucketStartUnixNano, bucketNanos: answer.bucketNanos };
}

/**
 * The error groups for the filters the server applies, refreshed (at most once a second) while traces
 * arrive. One request at a time: a filter picked aborts the one in flight, and a refresh while one for
 * the same filters is in flight waits for it (the server groups once per request, and a late answer
 * never replaces a newer one). `answeredFor` says which filters (`asked`) the answer shown is for.
 * `loadMore` adds the next GROUP_PAGE groups in the same order, on the sparklines' axis of those listed;
 * a refresh then asks for as many as are listed, up to REFRESH_GROUPS (past them, on the axis drawn), so
 * the groups reached stay listed.
 */
export function useErrorGroups(filters: ErrorFilters): {
  answer: ErrorGroupsResponse | null;
  error: string | null;
  asked: string;
  answeredFor: { readonly current: string | null };
  loadMore: () => void;
} {
  const asked = `${filters.service ?? ""} ${filters.window} ${filters.sort}`;
  /** How many groups the reader has reached (GROUP_PAGE until they ask for more). */
  const wanted = useRef(GROUP_PAGE);
  /** The next request is for the page after the groups shown, not a refresh of them. */
  const more = useRef(false);
  /**
   * The newest answer and the filters it is for, as soon as it arrives: a request queued behind another
   * starts before the page draws that one's answer, and builds on it, not on the answer before it.
   */
  const newest = useRef<{ answer: ErrorGroupsResponse; for: string } | null>(null);
  /** The answer shown when more was asked for: until another arrives (or that request fails), asking again does nothing. */
  const moreAskedOf = useRef<ErrorGroupsResponse | null>(null);
  const { data, error, load, answeredFor } = useLatestFetch(asked, (signal): Promise<ErrorGroupsResponse> => {
    const params = { service: filters.service, sort: filters.sort, since: windowSince(filters.window) };
    const listed = newest.current?.for === asked ? newest.current.answer : null;
    const next = more.current ? listed?.nextCursor : undefined;
    more.current = false;
    const arrived = (answer: ErrorGroupsResponse) => {
      if (!signal.aborted) newest.current = { answer, for: asked };
      return answer;
    };
    if (listed !== null && next !== undefined) {
      return api
        .errors({ ...params, ...axisOf(listed), limit: GROUP_PAGE, cursor: next }, signal)
        .then((page) => arrived(withNextPage(listed, page)))
        .catch((reason: unknown) => {
          // The button asks again; a refresh asks for the groups listed, not for those that did not come.
          moreAskedOf.current = null;
          wanted.current = listed.groups.length;
          throw reason;
        });
    }
    if (listed === null || wanted.current <= REFRESH_GROUPS) {
      return api.errors({ ...params, limit: Math.min(wanted.current, REFRESH_GROUPS) }, signal).then(arrived);
    }
    return api
      .errors({ ...params, ...axisOf(listed), limit: REFRESH_GROUPS }, signal)
      .then((head) => arrived(withRefreshedHead(listed, head)));
  });
  useEffect(() => {
    wanted.current = GROUP_PAGE;
    more.current = false;
    load();
  }, [asked]);
  // New errors show up at most once a second while traffic flows.
  const refresh = useCoalesced(load, 1000);
  useLiveMessages(
    useCallback(
      (message: LiveMessage) => {
        if (message.type === "traces" || message.type === "cleared") refresh();
      },
      [refresh],
    ),
  );
  const loadMore = useCallback(() => {
    const listed = newest.current?.for === asked ? newest.current.answer : null;
    if (listed?.nextCursor === undefined || moreAskedOf.current === listed) return;
    moreAskedOf.current = listed;
    more.current = true;
    wanted.current = listed.groups.length + GROUP_PAGE;
    load();
  }, [load, asked]);
  return { answer: data, error, asked, answeredFor, loadMore };
}
