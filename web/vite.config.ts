import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const webRoot = fileURLToPath(new URL(".", import.meta.url));

/**
 * Every chunk is code a page runs as it opens (the app's own, or a page's, fetched as it opens): V8's
 * explicit compile hint (Chromium 136+; a comment elsewhere) has it compile a whole file while the file
 * streams in, on a thread of its own, instead of function by function on the page's main thread as
 * each is first called. Put first in each chunk after the build has written everything else.
 */
const compileHints: Plugin = {
  name: "tracekit:compile-hints",
  enforce: "post",
  generateBundle: {
    order: "post",
    handler(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === "chunk") chunk.code = `//# allFunctionsCalledOnLoad\n${chunk.code}`;
      }
    },
  },
};

// The built app ships inside the package (dist/web) and is served by tracekit-local itself.
export default defineConfig({
  root: webRoot,
  base: "/",
  publicDir: "public",
  plugins: [compileHints],
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    // Which chunk holds which page: the server reads it to preload the page a navigation opens.
    manifest: true,
    // Everything the app loads at start in its one chunk: split by how the pages share it, it was three
    // (the app, Preact with the helpers every page uses, and the keyboard helpers), and a cold page's
    // requests then outnumber the browser's six connections, so its data waited for one.
    rolldownOptions: {
      output: {
        codeSplitting: { groups: [{ name: "index", tags: ["$initial"] }] },
      },
    },
  },
  server: {
    // `npm run dev:web` proxies the API to a tracekit-local started separately on 9999.
    proxy: {
      "/api": { target: "http://127.0.0.1:9999", ws: true },
      "/v1": "http://127.0.0.1:9999",
    },
  },
});
