/** Opens the UI in the default browser; a machine without one gets a hint, not a crash. */
export async function openBrowser(url: string): Promise<void> {
  try {
    const { default: open } = await import("open");
    const child = await open(url);
    child.on("error", () => console.log(`  (could not open a browser; visit ${url})`));
    child.unref();
  } catch {
    console.log(`  (could not open a browser; visit ${url})`);
  }
}
