import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { webRoutes } from "../../src/server/routes/web.js";
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

function builtApp(): string {
  const root = join(scratch(), "web");
  mkdirSync(join(root, "assets"), { recursive: true });
  writeFileSync(
    join(root, "index.html"),
    "<!doctype html><html><head><title>tracekit-local</title></head><body></body></html>",
  );
  writeFileSync(join(root, "assets", "index-abc123.js"), "console.log(1)");
  writeFileSync(join(root, "favicon.svg"), "<svg/>");
  return root;
}

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
    expect(html).toContain(`<link rel="preload" href="/api/traces/${id}" as="fetch" crossorigin="anonymous"></head>`);
    // Nothing is injected from a path that is not a trace id.
    const other = await (await app.request("/traces/%3Cscript%3E")).text();
    expect(other).not.toContain("preload");
    expect(other).not.toContain("<script>");
  });

  it("caches hashed assets for good and revalidates with an ETag", async () => {
    const app = webRoutes({ webRoot: builtApp() });
    const asset = await app.request("/assets/index-abc123.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const icon = await app.request("/favicon.svg");
    const etag = icon.headers.get("etag");
    expect(etag).toMatch(/^".+"$/);
    const again = await app.request("/favicon.svg", { headers: { "if-none-match": etag as string } });
    expect(again.status).toBe(304);
  });

  it("says how to build the app when it is missing, instead of a blank page", async () => {
    const app = webRoutes({ webRoot: join(scratch(), "nothing-here") });
    const response = await app.request("/");
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toContain("npm run build");
  });
});
