import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { ErrorGroupsResponse, LiveMessage } from "../../../../src/protocol";
import { api } from "../../api/client";
import { windowSince } from "../../components/TimeWindowSelect";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLiveMessages } from "../../state/live-context";
import type { ErrorFilters } from "./errors-url";

/** Groups shown at once: the server sorts and cuts, so the list never grows past this. */
const GROUP_LIMIT = 200;

/** The requests asked with one set of filters: aborted together when the filters change. */
interface FilterRound {
  asked: string;
  controller: AbortController;
}

/**
 * The error groups for the filters the server applies, refreshed (at most once a second) while traces
 * arrive. A late answer never replaces a newer one: requests for filters picked before are aborted, and
 * of those for the same filters (a live refresh), one whose answer comes after a later one's is dropped.
 * `answeredFor` says which filters (`asked`) the answer shown is for.
 */
export function useErrorGroups(filters: ErrorFilters): {
  answer: ErrorGroupsResponse | null;
  error: string | null;
  asked: string;
  answeredFor: { readonly current: string | null };
} {
  const [answer, setAnswer] = useState<ErrorGroupsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const asked = `${filters.service ?? ""} ${filters.window} ${filters.sort}`;
  const answeredFor = useRef<string | null>(null);
  const round = useRef<FilterRound | null>(null);
  const issued = useRef(0);
  const applied = useRef(0);
  const load = useCallback(() => {
    if (round.current?.asked !== asked) {
      round.current?.controller.abort();
      round.current = { asked, controller: new AbortController() };
    }
    const { signal } = round.current.controller;
    const order = ++issued.current;
    const params = {
      service: filters.service,
      sort: filters.sort,
      limit: GROUP_LIMIT,
      since: windowSince(filters.window),
    };
    const stale = () => signal.aborted || order < applied.current;
    api
      .errors(params, signal)
      .then((body) => {
        if (stale()) return;
        applied.current = order;
        answeredFor.current = asked;
        setAnswer(body);
        setError(null);
      })
      .catch((reason: unknown) => {
        if (!stale()) setError(reason instanceof Error ? reason.message : String(reason));
      });
  }, [asked, filters.service, filters.window, filters.sort]);
  useEffect(load, [load]);
  useEffect(() => () => round.current?.controller.abort(), []);
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
  return { answer, error, asked, answeredFor };
}
