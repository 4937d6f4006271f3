import type uPlot from "uplot";

// The chart library's own chunk, fetched once per page load: what the browser's module map holds
// anyway, remembered here so that a chart mounted after it arrived is built in the same render.
let loaded: typeof uPlot | null = null;
let loading: Promise<typeof uPlot> | null = null;

/** Fetches uPlot (once); pages that will chart call it early, so it is there when their data is. */
export function loadUPlot(): Promise<typeof uPlot> {
  loading ??= import("./uplot").then((module) => {
    loaded = module.default;
    return loaded;
  });
  return loading;
}

/** uPlot when it has arrived, else null. */
export function loadedUPlot(): typeof uPlot | null {
  return loaded;
}
