// The chart library in a chunk of its own, under a name the server's preload table can rely on:
// `UPlotChart` imports this module when a chart is first shown.
export { default } from "uplot";
