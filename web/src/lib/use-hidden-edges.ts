import { useLayoutEffect, useState } from "preact/hooks";

/**
 * Whether a horizontally scrolling element has content hidden past its left and its right edge (a
 * table's columns under a sticky column or beyond it, the top bar's page links in a narrow window),
 * kept as it scrolls, resizes or its content grows.
 */
export function useHiddenEdges(ref: { current: HTMLElement | null }): { left: boolean; right: boolean } {
  const [left, setLeft] = useState(false);
  const [right, setRight] = useState(false);
  // After every render: the element comes and goes with the page's empty state, and a render may add columns.
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    // One pixel of slack: a fractional width rounds either way.
    const measure = () => {
      setLeft(element.scrollLeft > 1);
      setRight(element.scrollLeft + element.clientWidth < element.scrollWidth - 1);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    element.addEventListener("scroll", measure, { passive: true });
    return () => {
      observer.disconnect();
      element.removeEventListener("scroll", measure);
    };
  });
  return { left, right };
}
