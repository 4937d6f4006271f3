import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import { type BuildManifest, dataPreloadLink, pagePreloads } from "../page-preload.js";

/**
 * The built web app (vite build → dist/web): beside this module once compiled, and the build
 * output when the TypeScript sources run directly (tests), never the app's unbuilt sources.
 */
export const DEFAULT_WEB_ROOT = fileURLToPath(
  new URL(import.meta.url.endsWith(".ts") ? "../../../dist/web/" : "../../web/", import.meta.url),
);

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

// Telemetry is only ever rendered as text, and the app loads nothing from elsewhere.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join("; ");

interface WebFile {
  body: Buffer;
  type: string;
  etag: string;
  /** Hashed build assets never change under the same name. */
  immutable: boolean;
}

function webFile(urlPath: string, body: Buffer): WebFile {
  return {
    body,
    type: CONTENT_TYPES[extname(urlPath).toLowerCase()] ?? "application/octet-stream",
    etag: `"${createHash("sha1").update(body).digest("base64url").slice(0, 20)}"`,
    immutable: urlPath.startsWith("/assets/"),
  };
}

/**
 * Reads every file of the built app into memory once: it is small, and serving becomes a map lookup.
 * Dot folders (the build's `.vite/` manifest) are not part of the app.
 */
export function loadWebFiles(root: string): Map<string, WebFile> | null {
  const files = new Map<string, WebFile>();
  try {
    if (!statSync(join(root, "index.html")).isFile()) return null;
  } catch {
    return null;
  }
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".")) walk(full);
      } else if (entry.isFile()) {
        const urlPath = `/${relative(root, full).split(sep).join("/")}`;
        files.set(urlPath, webFile(urlPath, readFileSync(full)));
      }
    }
  };
  walk(root);
  return files;
}

/** The build's manifest (which chunk holds which page), or null for a build without one. */
function readManifest(root: string): BuildManifest | null {
  try {
    return JSON.parse(readFileSync(join(root, ".vite", "manifest.json"), "utf8")) as BuildManifest;
  } catch {
    return null;
  }
}

/** index.html for each page loaded on demand, naming that page's chunks (pagePreloads). */
function pageDocuments(index: WebFile, manifest: BuildManifest | null): { path: RegExp; file: WebFile }[] {
  if (manifest === null) return [];
  const html = index.body.toString("utf8");
  return pagePreloads(manifest).map(({ path, links }) => ({
    path,
    file: webFile("/index.html", Buffer.from(html.replace("</head>", `${links}</head>`))),
  }));
}

const NOT_BUILT = `The tracekit-local web app is not built into this installation.
From a clone, run: npm run build
The API (/api/*) and the OTLP receiver (/v1/*) work without it.
`;

/** The built app in memory: every file, and index.html per page loaded on demand; files null when not built. */
interface WebSite {
  files: Map<string, WebFile> | null;
  index: WebFile | undefined;
  pages: { path: RegExp; file: WebFile }[];
}

function readWebSite(root: string): WebSite {
  const files = loadWebFiles(root);
  const index = files?.get("/index.html");
  return { files, index, pages: index === undefined ? [] : pageDocuments(index, readManifest(root)) };
}

/**
 * Serves the web app at / with a fallback to index.html for the app's own routes (deep links). The
 * files are read on the first request for one, not at start: OTLP and API clients never need them.
 */
export function webRoutes(
  options: {
    webRoot?: string;
    /**
     * Whether a metric is stored: a `/metrics?metric=…` page names its series for the browser to fetch
     * only then (one that is not would answer 404, an error in the console; the page asks the catalog).
     */
    metricStored?(name: string): boolean;
  } = {},
): Hono {
  const root = options.webRoot ?? DEFAULT_WEB_ROOT;
  let site: WebSite | null = null;
  const app = new Hono();

  app.on(["GET", "HEAD"], "*", (c, next) => {
    const path = c.req.path;
    if (path.startsWith("/api/") || path.startsWith("/v1/") || path.startsWith("/sdk/")) return next();
    site ??= readWebSite(root);
    const { files, index, pages } = site;
    if (files === null) {
      return c.text(NOT_BUILT, 503, { "Cache-Control": "no-store" });
    }
    let file = files.get(path);
    // An app route such as /traces/<id> gets the app (naming the page's chunks); a missing asset stays a 404.
    if (file === undefined && extname(path) === "") file = pages.find((page) => page.path.test(path))?.file ?? index;
    if (file === undefined) return next();

    const headers: Record<string, string> = {
      "Content-Type": file.type,
      ETag: file.etag,
      "Cache-Control": file.immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
    };
    if (file.type.startsWith("text/html")) {
      headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY;
      headers["X-Frame-Options"] = "DENY";
    }
    const preload = file.type.startsWith("text/html")
      ? dataPreloadLink(path, new URL(c.req.url).searchParams, options.metricStored)
      : null;
    if (preload !== null) {
      // The page will ask for this data first thing: let the browser fetch it while the app loads.
      delete headers.ETag;
      const html = file.body.toString("utf8").replace("</head>", `${preload}</head>`);
      return c.body(html, 200, headers);
    }
    if (c.req.header("if-none-match") === file.etag) return c.body(null, 304, headers);
    return c.body(new Uint8Array(file.body), 200, headers);
  });

  return app;
}
