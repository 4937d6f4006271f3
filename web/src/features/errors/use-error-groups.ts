import { useCallback, useEffect, useRef } from "preact/hooks";
import type { ErrorGroupsResponse, LiveMessage } from "../../../../src/protocol";
import { api } from "../../api/client";
import { windowSince } from "../../components/TimeWindowSelect";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLatestFetch } from "../../lib/use-latest-fetch";
import { useLiveMessages } from "../../state/live-context";
import { withNextPage } from "./errors-model";
import type { ErrorFilters } from "./errors-url";

/** Groups shown at first, and added by each "more": the server sorts and cuts. */
export const GROUP_PAGE = 200;
/** Most groups one request asks for (the server's bound): a refresh of more asks page after page. */
const MAX_PER_REQUEST = 1000;

type GroupParams = { service: string | undefined; sort: string; since: number | undefined };

/** The first `wanted` groups in the filters' order, asked for in pages of at most MAX_PER_REQUEST. */
async function firstGroups(params: GroupParams, wanted: number, signal: AbortSignal): Promise<ErrorGroupsResponse> {
  let answer = await api.errors({ ...params, limit: Math.min(wanted, MAX_PER_REQUEST) }, signal);
  while (answer.nextCursor !== undefined && answer.groups.length < wanted) {
    const limit = Math.min(wanted - answer.groups.length, MAX_PER_REQUEST);
    answer = withNextPage(answer, await api.errors({ ...params, limit, cursor: answer.nextCursor }, signal));
  }
  return answer;
}

/**
 * The error groups for the filters the server applies, refreshed (at most once a second) while traces
 * arrive. One request at a time: a filter picked aborts the one in flight, and a refresh while one for
 * the same filters is in flight waits for it (the server groups once per request, and a late answer
 * never replaces a newer one). `answeredFor` says which filters (`asked`) the answer shown is for.
 * `loadMore` adds the next GROUP_PAGE groups in the same order; a refresh then asks for as many as are
 * listed, so the groups reached stay listed, each with its newest counts.
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
  /** The answer shown, and the filters it is for. */
  const shown = useRef<ErrorGroupsResponse | null>(null);
  const shownFor = useRef<string | null>(null);
  /** The answer shown when more was asked for: until another is shown, asking again does nothing. */
  const moreAskedOf = useRef<ErrorGroupsResponse | null>(null);
  const { data, error, load, answeredFor } = useLatestFetch(asked, (signal): Promise<ErrorGroupsResponse> => {
    const params = { service: filters.service, sort: filters.sort, since: windowSince(filters.window) };
    const listed = shown.current;
    const next = more.current && shownFor.current === asked ? listed?.nextCursor : undefined;
    more.current = false;
    if (listed === null || next === undefined) return firstGroups(params, wanted.current, signal);
    return api
      .errors({ ...params, limit: GROUP_PAGE, cursor: next }, signal)
      .then((page) => withNextPage(listed, page));
  });
  shown.current = data;
  shownFor.current = answeredFor.current;
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
    const listed = shown.current;
    if (listed?.nextCursor === undefined || moreAskedOf.current === listed) return;
    moreAskedOf.current = listed;
    more.current = true;
    wanted.current = listed.groups.length + GROUP_PAGE;
    load();
  }, [load]);
  return { answer: data, error, asked, answeredFor, loadMore };
}
