import { useCallback, useEffect } from "preact/hooks";
import type { ErrorGroupsResponse, LiveMessage } from "../../../../src/protocol";
import { api } from "../../api/client";
import { windowSince } from "../../components/TimeWindowSelect";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLatestFetch } from "../../lib/use-latest-fetch";
import { useLiveMessages } from "../../state/live-context";
import type { ErrorFilters } from "./errors-url";

/** Groups shown at once: the server sorts and cuts, so the list never grows past this. */
const GROUP_LIMIT = 200;

/**
 * The error groups for the filters the server applies, refreshed (at most once a second) while traces
 * arrive. One request at a time: a filter picked aborts the one in flight, and a refresh while one for
 * the same filters is in flight waits for it (the server groups once per request, and a late answer
 * never replaces a newer one). `answeredFor` says which filters (`asked`) the answer shown is for.
 */
export function useErrorGroups(filters: ErrorFilters): {
  answer: ErrorGroupsResponse | null;
  error: string | null;
  asked: string;
  answeredFor: { readonly current: string | null };
} {
  const asked = `${filters.service ?? ""} ${filters.window} ${filters.sort}`;
  const { data, error, load, answeredFor } = useLatestFetch(asked, (signal) =>
    api.errors(
      { service: filters.service, sort: filters.sort, limit: GROUP_LIMIT, since: windowSince(filters.window) },
      signal,
    ),
  );
  useEffect(load, [asked]);
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
  return { answer: data, error, asked, answeredFor };
}
