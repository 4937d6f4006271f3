/** The parts of the Navigation API read here; not every browser has it (`window.navigation`). */
interface NavigationLike {
  currentEntry?: { index: number } | null;
  entries?(): { url: string | null }[];
}

/**
 * The history entries before the current one, nearest first and at most `max`, where the browser
 * tells (the Navigation API): each one's address, or null for one that is not this app's (another
 * site) or whose address the browser keeps to itself. Null when the browser does not tell.
 */
export function entriesBehind(max: number): (URL | null)[] | null {
  const navigation = (window as unknown as { navigation?: NavigationLike }).navigation;
  if (!navigation?.currentEntry || typeof navigation.entries !== "function") return null;
  const entries = navigation.entries();
  const current = navigation.currentEntry.index;
  const behind: (URL | null)[] = [];
  for (let steps = 1; steps <= Math.min(current, max); steps++) {
    const url = entries[current - steps]?.url;
    const parsed = url ? new URL(url) : null;
    behind.push(parsed !== null && parsed.origin === location.origin ? parsed : null);
  }
  return behind;
}
