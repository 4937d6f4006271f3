import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { ErrorBoundary, LocationProvider, Route, Router, useLocation } from "preact-iso";
import { ConnectionBadge } from "./components/ConnectionBadge";
import { ForwardingNotice } from "./components/ForwardingNotice";
import { isShortcutCandidate, isTypingTarget } from "./components/keyboard";
import { LateSpansNotice } from "./components/LateSpansNotice";
import { NavLink, PageNav } from "./components/PageNav";
import { RejectionNotice } from "./components/RejectionNotice";
import { ShortcutSheet } from "./components/ShortcutSheet";
import { StoreBadge } from "./components/StoreBadge";
import { ThemeToggle } from "./components/ThemeToggle";
import { ImportDrop } from "./features/import/ImportDrop";
import { Onboarding } from "./features/onboarding/Onboarding";
import { TraceListPage } from "./features/trace-list/TraceListPage";
import { lazyPage } from "./lazy-page";
import { usePageTitle } from "./lib/use-page-title";
import { LiveProvider } from "./state/live-context";

// Every page but the trace list loads its code when first opened (the server preloads the opened one).
const ComparePage = lazyPage(() => import("./features/compare/ComparePage").then((m) => m.ComparePage));
const ErrorsPage = lazyPage(() => import("./features/errors/ErrorsPage").then((m) => m.ErrorsPage));
const LlmPage = lazyPage(() => import("./features/llm/LlmPage").then((m) => m.LlmPage));
const LogsPage = lazyPage(() => import("./features/logs/LogsPage").then((m) => m.LogsPage));
const MapPage = lazyPage(() => import("./features/map/MapPage").then((m) => m.MapPage));
const MetricsPage = lazyPage(() => import("./features/metrics/MetricsPage").then((m) => m.MetricsPage));
const ServicesPage = lazyPage(() => import("./features/services/ServicesPage").then((m) => m.ServicesPage));
const SnapshotPage = lazyPage(() => import("./features/snapshots/SnapshotPage").then((m) => m.SnapshotPage));
const SnapshotsPage = lazyPage(() => import("./features/snapshots/SnapshotsPage").then((m) => m.SnapshotsPage));
const TraceViewPage = lazyPage(() => import("./features/trace-view/TraceViewPage").then((m) => m.TraceViewPage));

function TraceRoute({ params }: { params: { traceId: string } }) {
  return <TraceViewPage traceId={params.traceId} />;
}

// The Metrics page itself is named here, in the tab and history, as every other page names itself.
function MetricsRoute() {
  usePageTitle("Metrics");
  return <MetricsPage />;
}

function SnapshotRoute({ params }: { params: { snapshotId: string } }) {
  // preact-iso hands over the parameter decoded already.
  return <SnapshotPage key={params.snapshotId} snapshotId={params.snapshotId} />;
}

function NotFound() {
  return (
    <div class="page-message">
      <h2>Nothing here</h2>
      <p>
        This address is not a page of tracekit-local. <a href="/">Go to the trace list</a>.
      </p>
    </div>
  );
}

function Shell() {
  const { path } = useLocation();
  const [sheetOpen, setSheetOpen] = useState(false);
  const sheetOpenRef = useRef(sheetOpen);
  sheetOpenRef.current = sheetOpen;

  // Registered once, before the first paint, and reading the sheet's state through a ref, so a key
  // pressed right after a render is never handled with stale state.
  useLayoutEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (!isShortcutCandidate(event)) return;
      if (event.key === "Escape" && sheetOpenRef.current) {
        setSheetOpen(false);
        event.preventDefault();
        return;
      }
      if (isTypingTarget(event.target)) return;
      if (event.key === "?") {
        setSheetOpen((open) => !open);
        event.preventDefault();
      } else if (event.key === "/") {
        const search = document.querySelector<HTMLInputElement>("[data-page-search]");
        if (search) {
          search.focus();
          search.select();
          event.preventDefault();
        }
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <div class="shell">
      <header class="topbar">
        <a href="/" class="brand" aria-label="tracekit-local home">
          <img src="/favicon.png" alt="" width={18} height={18} />
          <span>tracekit-local</span>
        </a>
        <PageNav path={path} />
        <div class="topbar-right">
          <ConnectionBadge />
          <StoreBadge />
          <NavLink
            href="/setup"
            label="Set up"
            active={path === "/setup"}
            title="Connect an app: the set-up for each language"
          />
          <button type="button" class="icon-button" title="Keyboard shortcuts (?)" onClick={() => setSheetOpen(true)}>
            ?
          </button>
          <ThemeToggle />
        </div>
      </header>
      <RejectionNotice />
      <LateSpansNotice />
      <ForwardingNotice />
      <main class="content">
        <ErrorBoundary>
          <Router>
            <Route path="/" component={TraceListPage} />
            <Route path="/traces/:traceId" component={TraceRoute} />
            <Route path="/logs" component={LogsPage} />
            <Route path="/services" component={ServicesPage} />
            <Route path="/snapshots" component={SnapshotsPage} />
            <Route path="/snapshots/:snapshotId" component={SnapshotRoute} />
            <Route path="/metrics" component={MetricsRoute} />
            <Route path="/compare" component={ComparePage} />
            <Route path="/llm" component={LlmPage} />
            <Route path="/errors" component={ErrorsPage} />
            <Route path="/map" component={MapPage} />
            <Route path="/setup" component={SetupPage} />
            <Route default component={NotFound} />
          </Router>
        </ErrorBoundary>
      </main>
      <ImportDrop />
      {sheetOpen && <ShortcutSheet onClose={() => setSheetOpen(false)} />}
    </div>
  );
}

export function App() {
  return (
    <LocationProvider>
      <LiveProvider>
        <Shell />
      </LiveProvider>
    </LocationProvider>
  );
}

/** `/setup`: how to connect an app, reachable once data is here (from the top bar and the help sheet). */
function SetupPage() {
  useEffect(() => {
    document.title = "Connect an app · tracekit-local";
    return () => {
      document.title = "tracekit-local";
    };
  }, []);
  return <Onboarding connectAnother />;
}
