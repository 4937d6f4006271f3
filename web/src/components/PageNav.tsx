import { useLayoutEffect, useRef } from "preact/hooks";
import { useHiddenEdges } from "../lib/use-hidden-edges";

export function NavLink({
  href,
  label,
  active,
  title,
}: {
  href: string;
  label: string;
  active: boolean;
  title?: string;
}) {
  return (
    <a
      href={href}
      class={active ? "nav-link active" : "nav-link"}
      aria-current={active ? "page" : undefined}
      title={title}
    >
      {label}
    </a>
  );
}

/**
 * The top bar's page links. In a window too narrow for all of them they scroll sideways (the bar's
 * buttons keep their place): the edge with links past it fades, the mouse wheel scrolls them, and
 * the current page's link is scrolled into view.
 */
export function PageNav({ path }: { path: string }) {
  const ref = useRef<HTMLElement>(null);
  const hidden = useHiddenEdges(ref);
  // On each page, and whenever the bar's room changes (a scrollbar comes, "Live" becomes "Reconnecting…").
  useLayoutEffect(() => {
    const nav = ref.current;
    if (!nav) return;
    const reveal = () => {
      const active = nav.querySelector<HTMLElement>(".nav-link.active");
      if (!active) return;
      // Clear of the faded edge (32px, styles.css) too.
      const link = active.getBoundingClientRect();
      const box = nav.getBoundingClientRect();
      if (link.left < box.left) nav.scrollLeft -= box.left - link.left + 32;
      else if (link.right > box.right) nav.scrollLeft += link.right - box.right + 32;
    };
    reveal();
    const observer = new ResizeObserver(reveal);
    observer.observe(nav);
    return () => observer.disconnect();
  }, [path]);
  const onTraces = path === "/" || path.startsWith("/traces") || path === "/compare";
  return (
    <nav
      ref={ref}
      class={`nav${hidden.left ? " hidden-left" : ""}${hidden.right ? " hidden-right" : ""}`}
      aria-label="Pages"
      onWheel={(event) => {
        const nav = event.currentTarget;
        // A wheel turned up or down moves the links sideways while some are hidden; else the page's own.
        if (event.deltaX !== 0 || nav.scrollWidth <= nav.clientWidth) return;
        const before = nav.scrollLeft;
        nav.scrollLeft += event.deltaY;
        if (nav.scrollLeft !== before) event.preventDefault();
      }}
    >
      <NavLink href="/" label="Traces" active={onTraces} />
      <NavLink href="/logs" label="Logs" active={path === "/logs"} />
      <NavLink href="/errors" label="Errors" active={path === "/errors"} />
      <NavLink href="/services" label="Services" active={path === "/services"} />
      <NavLink href="/map" label="Map" active={path === "/map"} />
      <NavLink href="/snapshots" label="Snapshots" active={path.startsWith("/snapshots")} />
      <NavLink href="/metrics" label="Metrics" active={path === "/metrics"} />
      <NavLink href="/llm" label="LLM" active={path === "/llm"} />
    </nav>
  );
}
