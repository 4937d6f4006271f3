import { useLayoutEffect, useState } from "preact/hooks";

/**
 * An element's client width or height in px, kept as it resizes (a ResizeObserver); `initial` until
 * it is first laid out.
 */
export function useClientSize(
  ref: { current: HTMLElement | null },
  dimension: "clientWidth" | "clientHeight",
  initial: number,
): number {
  const [size, setSize] = useState(initial);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    setSize(element[dimension]);
    const observer = new ResizeObserver(() => setSize(element[dimension]));
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, dimension]);
  return size;
}
