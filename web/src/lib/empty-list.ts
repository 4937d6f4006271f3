/**
 * What a live page with a service and time-window filter says when its list is empty. A filter that
 * matches nothing is not an empty store: saying "nothing stored" and pointing at the set-up would send
 * someone with hundreds of stored items off to connect an app again.
 */
export interface EmptyList {
  heading: string;
  /** True when a filter (not the store) leaves the list empty: offer to reset it, not the set-up. */
  filtered: boolean;
}

export function emptyList(
  noun: string,
  filters: { service?: string | undefined; window: string },
  /** The heading when another filter hid everything the answer held (the Errors page's "where errors start"). */
  hiddenHeading: string | null = null,
): EmptyList {
  const inWindow = filters.window === "all" ? "" : " in this window";
  if (hiddenHeading !== null) return { heading: `${hiddenHeading}${inWindow}`, filtered: true };
  if (filters.service !== undefined) return { heading: `No ${noun} for this service${inWindow}`, filtered: true };
  if (filters.window !== "all") return { heading: `No ${noun} in this window`, filtered: true };
  return { heading: `No ${noun} stored`, filtered: false };
}
