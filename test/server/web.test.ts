import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type BuildManifest, PAGE_MODULES, pagePreloadLinks } from "../../src/server/page-preload.js";
import { DEFAULT_WEB_ROOT, webRoutes } from "../../src/server/routes/web.js";
import { tempDir } from "../helpers/app.js";

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

function scratch(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir.path;
}

function builtApp(manifest?: BuildManifest, root = join(scratch(), "web")): string {
  mkdirSync(join(root, "assets"), { recursive: true });
  writeFileSync(
    join(root, "index.html"),
    "<!doctype html><html><head><title>tracekit-local</title></head><body></body></html>",
  );
  writeFileSync(join(root, "assets", "index-abc123.js"), "console.log(1)");
  writeFileSync(join(root, "favicon.png"), "png");
  if (manifest) {
    mkdirSync(join(root, ".vite"));
    writeFileSync(join(root, ".vite", "manifest.json"), JSON.stringify(manifest));
  }
  return root;
}

/** A build as Vite writes it: an entry, two pages loaded on demand sharing a chunk, the chart library. */
const MANIFEST: BuildManifest = {
  "index.html": {
    file: "assets/index-abc123.js",
    isEntry: true,
    imports: ["_format-f1.js"],
    css: ["assets/index-c1.css"],
  },
  "_format-f1.js": { file: "assets/format-f1.js" },
  "_shared-s1.js": {
    file: "assets/shared-s1.js",
    imports: ["index.html", "_format-f1.js"],
    css: ["assets/shared-c2.css"],
  },
  "src/features/metrics/MetricsPage.tsx": {
    file: "assets/MetricsPage-m1.js",
    imports: ["_format-f1.js", "index.html", "_shared-s1.js"],
    css: ["assets/MetricsPage-c3.css", "assets/index-c1.css"],
  },
  "src/features/logs/LogsPage.tsx": { file: "assets/LogsPage-l1.js", imports: ["index.html", "_shared-s1.js"] },
  "src/features/metrics/uplot.ts": { file: "assets/uplot-u1.js" },
};

describe("web app routes", () => {
  it("serves the app at / with a strict content security policy", async () => {
    const app = webRoutes({ webRoot: builtApp() });
    const response = await app.request("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await response.text()).toContain("<title>tracekit-local</title>");
  });

  it("answers app routes (deep links) with the app, and a missing file with 404", async () => {
    const app = webRoutes({ webRoot: builtApp() });
    const deep = await app.request("/traces/0af7651916cd43dd8448eb211c80319c?span=b7ad6b7169203331");
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain("<title>");
    expect((await app.request("/services")).status).toBe(200);
    expect((await app.request("/assets/index-missing.js")).status).toBe(404);
    // The API and OTLP paths are never answered with the app.
    expect((await app.request("/api/nope")).status).toBe(404);
    expect((await app.request("/v1/nope")).status).toBe(404);
  });

  it("tells the browser to fetch the trace a trace page will show while the app loads", async () => {
    const app = webRoutes({ webRoot: builtApp() });
    const id = "0AF7651916cd43dd8448eb211c80319c";
    const html = await (await app.request(`/traces/${id}?span=b7ad6b7169203331`)).text();
    expect(html).toContain(
      `<link rel="preload" href="/api/traces/${id}?missing=null&amp;form=compact1" as="fetch" crossorigin="anonymous"></head>`,
    );
    // Nothing is injected from a path that is not a trace id.
    const other = await (await app.request("/traces/%3Cscript%3E")).text();
    expect(other).not.toContain("preload");
    expect(other).not.toContain("<script>");
  });

  it("tells the browser to fetch the series a metrics page will chart while the app loads", async () => {
    const app = webRoutes({ webRoot: builtApp() });
    const html = await (
      await app.request("/metrics?metric=http.server%2Fduration&groupBy=http.route&window=1h")
    ).text();
    expect(html).toContain(
      '<link rel="preload" href="/api/metrics/http.server%2Fduration?window=1h&amp;groupBy=http.route&amp;stat=p95" as="fetch" crossorigin="anonymous"></head>',
    );
    // The page's own text is written into the attribute as a URL, never as markup.
    const hostile = await (await app.request("/metrics?metric=%22%3E%3Cscript%3E&service=a%22b%26c")).text();
    expect(hostile).toContain('href="/api/metrics/%22%3E%3Cscript%3E?window=15m&amp;service=a%22b%26c&amp;stat=p95"');
    expect(hostile).not.toContain("<script>");
    // No metric, no series to fetch.
    expect(await (await app.request("/metrics?q=http")).text()).not.toContain("preload");
  });

  it("tells the browser to fetch the map a map page will draw while the app loads", async () => {
    const app = webRoutes({ webRoot: builtApp() });
    for (const path of ["/map", "/map?window=all", "/map?window=<x>"]) {
      expect(await (await app.request(path)).text(), path).toContain(
        '<link rel="preload" href="/api/service-map?layout=1" as="fetch" crossorigin="anonymous"></head>',
      );
    }
    // A window starts at the browser's now: the app's request cannot be named ahead.
    expect(await (await app.request("/map?window=1h")).text()).not.toContain("service-map");
  });

  it("names the chunks and styles of the page a navigation opens, beyond what the app loads anyway", async () => {
    const app = webRoutes({ webRoot: builtApp(MANIFEST) });
    const metrics = await app.request("/metrics?q=http");
    const html = await metrics.text();
    expect(html).toContain(
      '<link rel="modulepreload" crossorigin href="/assets/MetricsPage-m1.js">' +
        '<link rel="modulepreload" crossorigin href="/assets/shared-s1.js">' +
        // uPlot, which imports nothing, runs as soon as it arrives.
        '<script type="module" async crossorigin src="/assets/uplot-u1.js"></script>' +
        '<link rel="stylesheet" crossorigin href="/assets/MetricsPage-c3.css">' +
        '<link rel="stylesheet" crossorigin href="/assets/shared-c2.css"></head>',
    );
    // A page showing a metric names its series after its chunks: they are asked for first.
    expect(await (await app.request("/metrics?metric=m")).text()).toContain(
      '<link rel="stylesheet" crossorigin href="/assets/shared-c2.css">' +
        '<link rel="preload" href="/api/metrics/m?window=15m&amp;stat=p95" as="fetch" crossorigin="anonymous"></head>',
    );
    expect(html).not.toContain("format-f1.js");
    expect(html).not.toContain("index-c1.css");
    expect(metrics.headers.get("content-security-policy")).toContain("script-src 'self'");
    // Each page's document is its own: its ETag revalidates it, and differs from another page's.
    const etag = metrics.headers.get("etag") as string;
    expect((await app.request("/metrics", { headers: { "if-none-match": etag } })).status).toBe(304);
    const logs = await app.request("/logs");
    expect(logs.headers.get("etag")).not.toBe(etag);
    expect(await logs.text()).toContain(
      'href="/assets/LogsPage-l1.js"><link rel="modulepreload" crossorigin href="/assets/shared-s1.js">',
    );
    // The trace list is in the app's chunk and opens with its chart; a page the app does not know names nothing.
    expect(await (await app.request("/")).text()).toContain('src="/assets/uplot-u1.js"></script></head>');
    expect(await (await app.request("/nothing-here")).text()).not.toContain("modulepreload");
    // The build's manifest is not served.
    expect((await app.request("/.vite/manifest.json")).status).toBe(404);
  });

  it("names every page the built app loads on demand, with chunks that are there", () => {
    const manifest = JSON.parse(
      readFileSync(join(DEFAULT_WEB_ROOT, ".vite", "manifest.json"), "utf8"),
    ) as BuildManifest;
    const onDemand = Object.keys(manifest).filter((key) => key.endsWith("Page.tsx") && manifest[key]?.isDynamicEntry);
    const named = PAGE_MODULES.flatMap((page) => page.modules);
    expect(new Set(named)).toEqual(new Set([...onDemand, "src/features/metrics/uplot.ts"]));
    for (const page of PAGE_MODULES)
      expect(pagePreloadLinks(manifest, page.modules)).toMatch(
        /^<(link rel="modulepreload"|script type="module" async)/,
      );
  });

  it("caches hashed assets for good and revalidates with an ETag", async () => {
    const app = webRoutes({ webRoot: builtApp() });
    const asset = await app.request("/assets/index-abc123.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const icon = await app.request("/favicon.png");
    expect(icon.headers.get("content-type")).toBe("image/png");
    const etag = icon.headers.get("etag");
    expect(etag).toMatch(/^".+"$/);
    const again = await app.request("/favicon.png", { headers: { "if-none-match": etag as string } });
    expect(again.status).toBe(304);
  });

  it("reads the built app when a page or asset is first asked for, not when the routes are made", async () => {
    const root = join(scratch(), "web");
    const app = webRoutes({ webRoot: root });
    builtApp(undefined, root);
    const response = await app.request("/");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<title>tracekit-local</title>");
  });

  it("says how to build the app when it is missing, instead of a blank page", async () => {
    const app = webRoutes({ webRoot: join(scratch(), "nothing-here") });
    const response = await app.request("/");
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toContain("npm run build");
  });
});
