/// <reference lib="dom" />
import type { Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { sendSdkTrace } from "../helpers/otel.js";

describe.skipIf(!chromiumAvailable())("the trace list's query box in Chromium", () => {
  const suite = useAppInChromium();
  let page: Page;

  beforeEach(async () => {
    await fetch(`${suite.app.base}/api/traces`, { method: "DELETE" });
    page = await suite.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    return async () => {
      await page.close();
      // The deliberately bad query included: the page refuses it itself, as the server would, unsent.
      expect(problems).toEqual([]);
    };
  });

  const box = () => page.getByRole("combobox", { name: "Search spans" });
  const options = () => page.getByRole("listbox", { name: "Suggestions" }).getByRole("option");

  /** Lets the page render what it has received, and run the effects of that render. */
  const settled = () =>
    page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50))));

  /** A trace sent, and the list showing it: the trace and its first child span's id. */
  const listOneTrace = async () => {
    const wanted = await sendSdkTrace(suite.app.base, { service: "orders", name: "GET /orders/:id" });
    await page.goto(suite.app.base);
    await page.locator(`[data-trace-id="${wanted.traceId}"]`).waitFor();
    return { wanted, spanId: wanted.spanIds[0] as string };
  };

  /** The next answer of `GET /api/spans/<spanId>`, as JSON. */
  const spanAnswer = (spanId: string) =>
    page
      .waitForResponse((response) => response.url().includes(`/api/spans/${spanId}`))
      .then((response) => response.json());

  /**
   * The server's answer named the trace, and once the page has shown it (the list's message links
   * the trace) the page is still the list: it did not open the trace by itself.
   */
  const stillListing = async (answered: Promise<{ traceId: string }>, traceId: string) => {
    expect((await answered).traceId).toBe(traceId);
    await page.getByTestId("span-id-query").waitFor();
    await settled();
    expect(new URL(page.url()).pathname).toBe("/");
  };

  /** Answers `GET /api/spans/…` only after `ms`. */
  const slowSpanAnswers = (ms: number) =>
    page.route("**/api/spans/**", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      await route.continue().catch(() => {}); // the page may have dropped the question meanwhile
    });

  it("types a query with key and value autocomplete from the keyboard, keeps it in the URL, and shows errors in place", async () => {
    const wanted = await sendSdkTrace(suite.app.base, {
      service: "orders",
      name: "GET /orders/:id",
      attributes: { "app.order.id": "89581" },
    });
    const other = await sendSdkTrace(suite.app.base, {
      service: "orders",
      name: "GET /orders/:id",
      attributes: { "app.order.id": "1234" },
    });
    await page.goto(suite.app.base);
    await page.locator(`[data-trace-id="${other.traceId}"]`).waitFor();
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(2);

    // A key: typed in part, picked with the arrow keys and Enter.
    await box().click();
    await page.keyboard.type("app.or");
    await expect.poll(() => options().allTextContents()).toEqual(["app.order.id"]);
    await expect(box().getAttribute("aria-expanded")).resolves.toBe("true");
    await page.keyboard.press("ArrowDown");
    await expect(options().first().getAttribute("aria-selected")).resolves.toBe("true");
    await page.keyboard.press("Enter");
    await expect.poll(() => box().inputValue()).toBe("app.order.id=");
    // Then its values, from what is stored.
    await expect.poll(() => options().allTextContents()).toEqual(["1234", "89581"]);
    await page.keyboard.type("895");
    await expect.poll(() => options().allTextContents()).toEqual(["89581"]);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Tab");
    await expect.poll(() => box().inputValue()).toBe("app.order.id=89581 ");
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/?q=${encodeURIComponent("app.order.id=89581")}`);
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(1);
    await page.locator(`[data-trace-id="${wanted.traceId}"]`).waitFor();
    await expect(page.locator("#query-hint").textContent()).resolves.toContain("duration>250ms");

    // The URL is the query: a reload keeps it.
    await page.reload();
    await page.locator(`[data-trace-id="${wanted.traceId}"]`).waitFor();
    await expect.poll(() => box().inputValue()).toBe("app.order.id=89581");

    // A query that does not parse says why and where, under the box, instead of "no traces".
    await box().fill("duration>soon");
    await box().press("Enter");
    const alert = page.locator("#query-hint[role=alert]");
    await expect.poll(() => alert.textContent()).toContain('At 10: "soon" is not a duration');
    await expect(box().getAttribute("aria-invalid")).resolves.toBe("true");
    // Its border says so too, focused and not (the plain box's border rule came later and hid it).
    const border = () => box().evaluate((input) => getComputedStyle(input).borderTopColor);
    const errorColor = await page.evaluate(() => {
      const probe = document.createElement("span");
      probe.style.color = "var(--error)";
      document.body.append(probe);
      const color = getComputedStyle(probe).color;
      probe.remove();
      return color;
    });
    expect(await border()).toBe(errorColor);
    await box().blur();
    expect(await border()).toBe(errorColor);
    await expect(page.getByText("No traces match").count()).resolves.toBe(0);
    await box().fill("duration>1ms | app.order.id=1234");
    await box().press("Enter");
    await expect.poll(() => page.locator("#query-hint[role=alert]").count()).toBe(0);
  });

  it("opens a trace whose id (or traceparent) is pasted into the box, on Enter or from the list's message", async () => {
    const wanted = await sendSdkTrace(suite.app.base, { service: "orders", name: "GET /orders/:id" });
    await sendSdkTrace(suite.app.base, { service: "orders", name: "GET /health" });
    await page.goto(suite.app.base);
    await page.locator(`[data-trace-id="${wanted.traceId}"]`).waitFor();

    // An id copied from a log line, in capitals: the list cannot find it as text, and says what it is.
    await box().fill(wanted.traceId.toUpperCase());
    await page.waitForURL((url) => url.searchParams.has("q"));
    const open = page.getByRole("link", { name: "Open the trace" });
    await open.waitFor();
    expect(await open.getAttribute("href")).toBe(`/traces/${wanted.traceId}`);
    // Enter opens it, as a trace-id lookup does elsewhere.
    await box().press("Enter");
    await page.waitForURL(`**/traces/${wanted.traceId}`);
    await page.getByTestId("span-details").waitFor();

    // A traceparent header's value opens the trace on its span; so does `trace_id=`.
    await page.goBack();
    await box().fill(`00-${wanted.traceId}-${wanted.spanIds[0]}-01`);
    await box().press("Enter");
    await page.waitForURL(`**/traces/${wanted.traceId}?span=${wanted.spanIds[0]}`);
    await page.goto(`${suite.app.base}/`);
    await box().fill(`trace_id=${wanted.traceId}`);
    await box().press("Enter");
    await page.waitForURL(`**/traces/${wanted.traceId}`);

    // Anything else is a query as before: Enter stays on the list.
    await page.goto(`${suite.app.base}/`);
    await box().fill(wanted.traceId.slice(0, 30));
    await box().press("Enter");
    await page.waitForURL((url) => url.searchParams.get("q") === wanted.traceId.slice(0, 30));
    expect(new URL(page.url()).pathname).toBe("/");
    expect(await page.getByRole("link", { name: "Open the trace" }).count()).toBe(0);
  });

  it("opens the trace of a pasted span id on its span, on Enter or from the list's message; an id no span has stays text", async () => {
    const wanted = await sendSdkTrace(suite.app.base, { service: "orders", name: "GET /orders/:id" });
    const spanId = wanted.spanIds[1] as string;
    // A 16-hex text that no span has as its id, in another trace's attribute: a search finds it as text.
    const notSpan = "00c0ffee00c0ffee";
    const mentions = await sendSdkTrace(suite.app.base, {
      service: "orders",
      name: "GET /health",
      attributes: { "app.ref": notSpan },
    });
    await page.goto(suite.app.base);
    await page.locator(`[data-trace-id="${mentions.traceId}"]`).waitFor();

    // An id copied from a log line, in capitals: the list finds no span by its id, and says whose it is.
    await box().fill(spanId.toUpperCase());
    await page.waitForURL((url) => url.searchParams.has("q"));
    const open = page.getByTestId("span-id-query").getByRole("link", { name: "Open the trace" });
    await open.waitFor({ timeout: 10_000 });
    expect(await open.getAttribute("href")).toBe(`/traces/${wanted.traceId}?span=${spanId}`);
    // Enter opens it, on that span.
    await box().press("Enter");
    await page.waitForURL(`**/traces/${wanted.traceId}?span=${spanId}`);
    await expect
      .poll(() => page.getByTestId("span-details").textContent(), { timeout: 10_000 })
      .toContain("SELECT orders 1");

    // Pasted and Enter at once (before the list searched for it), and as `span_id=`: opened once the
    // server named the trace.
    await page.goto(`${suite.app.base}/`);
    await box().fill(`span_id=${wanted.rootSpanId}`);
    await box().press("Enter");
    await page.waitForURL(`**/traces/${wanted.traceId}?span=${wanted.rootSpanId}`);
    await page.getByTestId("span-details").waitFor();

    // An id no stored span has is a text search as before: Enter stays on the list, which finds it as text.
    await page.goto(`${suite.app.base}/`);
    await box().fill(notSpan);
    const answered = spanAnswer(notSpan);
    await box().press("Enter");
    expect(await answered).toBeNull();
    await settled();
    expect(new URL(page.url()).pathname).toBe("/");
    expect(new URL(page.url()).searchParams.get("q")).toBe(notSpan);
    await page.locator(`[data-trace-id="${mentions.traceId}"]`).waitFor();
    await expect.poll(() => page.locator("[data-trace-id]").count(), { timeout: 10_000 }).toBe(1);

    // One that nothing has, as id or text: the empty list's message offers no trace.
    const nowhere = "0badc0de0badc0de";
    const none = spanAnswer(nowhere);
    await box().fill(nowhere);
    expect(await none).toBeNull();
    await page.getByRole("heading", { name: "No traces match" }).waitFor();
    await settled();
    expect(await page.getByTestId("span-id-query").count()).toBe(0);
  });

  it("forgets Enter on a span id once the search is edited, so Back to it later does not open the trace", async () => {
    const { wanted, spanId } = await listOneTrace();
    await slowSpanAnswers(1000);
    // Enter before the server has answered, then more typed: the search is another one.
    await box().fill(spanId);
    await box().press("Enter");
    await page.waitForURL((url) => url.searchParams.get("q") === spanId);
    await box().pressSequentially(" x");
    await page.waitForURL((url) => url.searchParams.get("q") === `${spanId} x`);
    // Back to the id: the server is asked again, and its answer opens nothing.
    const answered = spanAnswer(spanId);
    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get("q") === spanId);
    await stillListing(answered, wanted.traceId);
  });

  it("stays on the list when the trace of a span id is named more than 2 s after Enter", async () => {
    const { wanted, spanId } = await listOneTrace();
    await slowSpanAnswers(2500);
    const answered = spanAnswer(spanId);
    await box().fill(spanId);
    await box().press("Enter");
    await stillListing(answered, wanted.traceId);
  });

  it("asks again on Enter for a span id the server did not know: its span may have arrived since", async () => {
    const { wanted, spanId } = await listOneTrace();
    // The first answer is the one given before the span came in (an SDK batches spans for seconds).
    let asked = 0;
    await page.route("**/api/spans/**", async (route) => {
      asked++;
      if (asked === 1) await route.fulfill({ status: 200, contentType: "application/json", body: "null" });
      else await route.continue();
    });
    const unknown = spanAnswer(spanId);
    await box().fill(spanId);
    expect(await unknown).toBeNull();
    await page.getByRole("heading", { name: "No traces match" }).waitFor();
    await box().press("Enter");
    await page.waitForURL(`**/traces/${wanted.traceId}?span=${spanId}`);
    expect(asked).toBe(2);
  });

  it("opens a pasted trace id on Enter also while the trace page's code is slow to arrive", async () => {
    const wanted = await sendSdkTrace(suite.app.base, { service: "orders", name: "GET /orders/:id" });
    await page.goto(suite.app.base);
    await page.locator(`[data-trace-id="${wanted.traceId}"]`).waitFor();
    // The list stays on screen until the trace page's code is there: longer than the typing pause.
    await page.route("**/assets/*.js", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.continue();
    });
    await box().fill(wanted.traceId);
    await box().press("Enter");
    await page.waitForURL(`**/traces/${wanted.traceId}`);
    await page.getByTestId("span-details").waitFor();
    // The pause that was pending did not turn the id into the list's query behind it.
    expect(new URL(page.url()).pathname).toBe(`/traces/${wanted.traceId}`);
    await page.waitForTimeout(300);
    expect(new URL(page.url()).pathname).toBe(`/traces/${wanted.traceId}`);
  });

  it("makes each search a step Back undoes, however many pauses its typing had", async () => {
    await sendSdkTrace(suite.app.base, { service: "orders", name: "GET /orders/:id", error: true });
    await sendSdkTrace(suite.app.base, { service: "billing", name: "POST /refunds" });
    await page.goto(`${suite.app.base}/`);
    await page.locator("[data-trace-id]").first().waitFor();
    const q = () => new URL(page.url()).searchParams.get("q");
    // The list fetches as the URL changes: a loaded machine can take past expect.poll's default 1 s.
    const POLL = { timeout: 10_000 };
    // A search typed with a pause in it (the list follows each pause), then Enter.
    await box().pressSequentially("status=er");
    await expect.poll(q, POLL).toBe("status=er");
    await box().pressSequentially("ror");
    await box().press("Enter");
    await expect.poll(q, POLL).toBe("status=error");
    // Another search, picked anew.
    await box().fill("service=billing");
    await box().press("Enter");
    await expect.poll(q, POLL).toBe("service=billing");
    // Back goes to the search before, then to the list before any search; Forward comes again.
    await page.goBack();
    await expect.poll(q, POLL).toBe("status=error");
    await expect.poll(() => box().inputValue(), POLL).toBe("status=error");
    await page.goBack();
    await expect.poll(q, POLL).toBeNull();
    expect(new URL(page.url()).pathname).toBe("/");
    await page.goForward();
    await expect.poll(q, POLL).toBe("status=error");
    // And the Logs page's search does the same.
    await page.goto(`${suite.app.base}/logs`);
    const logBox = page.getByLabel("Search logs");
    await logBox.fill("checkout");
    await logBox.press("Enter");
    await expect.poll(q, POLL).toBe("checkout");
    await logBox.fill("refunds");
    await logBox.press("Enter");
    await expect.poll(q, POLL).toBe("refunds");
    await page.goBack();
    await expect.poll(q, POLL).toBe("checkout");
  });

  it("keeps what is typed right after a search is sent, before the list shows that search", async () => {
    await sendSdkTrace(suite.app.base, { service: "orders", name: "GET /orders/:id", error: true });
    await sendSdkTrace(suite.app.base, { service: "billing", name: "POST /refunds" });
    await page.goto(`${suite.app.base}/`);
    await page.locator("[data-trace-id]").first().waitFor();
    const q = () => new URL(page.url()).searchParams.get("q");
    // Enter, then the next keys in the same moment: the page shows the sent search a render and an
    // effect later, which must not put it back over the newer text (it did, and Enter re-sent it).
    const typeAfterEnter = (label: string, sentText: string, nextText: string) =>
      page.evaluate(
        ({ label, sentText, nextText }) => {
          const box = document.querySelector(`input[aria-label="${label}"]`) as HTMLInputElement;
          const type = (text: string) => {
            box.value = text;
            box.dispatchEvent(new Event("input", { bubbles: true }));
          };
          type(sentText);
          box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
          type(nextText);
        },
        { label, sentText, nextText },
      );
    await typeAfterEnter("Search spans", "status=error", "service=billing");
    await expect.poll(q).toBe("status=error");
    await page.waitForTimeout(100);
    await expect(box().inputValue()).resolves.toBe("service=billing");
    await box().press("Enter");
    await expect.poll(q).toBe("service=billing");
    // The same for the plain text boxes (trace name here).
    await typeAfterEnter("Trace name", "refunds", "orders");
    await expect.poll(() => new URL(page.url()).searchParams.get("name")).toBe("refunds");
    await page.waitForTimeout(100);
    await expect(page.getByLabel("Trace name").inputValue()).resolves.toBe("orders");
    const name = () => new URL(page.url()).searchParams.get("name");
    await expect.poll(name).toBe("orders");
    // A value the box did not send (Back) still replaces its text.
    await page.goBack();
    await expect.poll(name).not.toBe("orders");
    const before = name() ?? "";
    await expect.poll(() => page.getByLabel("Trace name").inputValue()).toBe(before);
  });

  it("keeps a cleared query cleared when another filter changes within the typing pause", async () => {
    const failing = await sendSdkTrace(suite.app.base, { service: "billing", name: "POST /refunds", error: true });
    await sendSdkTrace(suite.app.base, { service: "billing", name: "POST /invoices" });
    const query = `/?q=${encodeURIComponent("kind=server")}`;
    const searchOf = () => new URL(page.url()).searchParams;

    // Cleared, then a button well inside the 300 ms before the emptied box commits: the URL never
    // gets the old query with the new filter.
    await page.goto(`${suite.app.base}${query}`);
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(2);
    await box().fill("");
    await page.getByRole("button", { name: "Errors only" }).click();
    await page.waitForURL((url) => url.searchParams.has("errors"));
    expect(searchOf().get("q")).toBeNull();
    await page.locator(`[data-trace-id="${failing.traceId}"]`).waitFor();
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(1);

    // Cleared, then another text box typed into: both pending commits land, and the query stays gone.
    await page.goto(`${suite.app.base}${query}`);
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(2);
    await box().fill("");
    await page.getByLabel("Trace name").fill("refunds");
    await page.waitForURL((url) => url.searchParams.get("name") === "refunds");
    await page.waitForTimeout(800);
    expect(searchOf().get("q")).toBeNull();
    expect(searchOf().get("name")).toBe("refunds");
    await expect(box().inputValue()).resolves.toBe("");
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(1);
  });

  it("shows its whole placeholder beside the other filters, also once Reset filters appears", async () => {
    await sendSdkTrace(suite.app.base, { service: "recommendations-ranking-worker", name: "GET /recommendations" });
    const room = () =>
      box().evaluate((el: HTMLInputElement) => {
        const probe = document.createElement("span");
        const style = getComputedStyle(el);
        probe.style.font = style.font;
        probe.style.whiteSpace = "pre";
        probe.style.position = "absolute";
        probe.textContent = el.placeholder;
        document.body.append(probe);
        const text = probe.getBoundingClientRect().width;
        probe.remove();
        return el.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight) - text;
      });
    for (const width of [900, 1100, 1280, 1400]) {
      await page.setViewportSize({ width, height: 800 });
      for (const path of ["/", "/?service=recommendations-ranking-worker&name=GET"]) {
        await page.goto(`${suite.app.base}${path}`);
        await page.locator("[data-trace-id]").first().waitFor();
        expect(await page.getByRole("button", { name: "Reset filters" }).count()).toBe(path === "/" ? 0 : 1);
        expect({ width, path, fits: (await room()) >= 0 }).toEqual({ width, path, fits: true });
      }
    }
  });

  it("keeps the applied query and filters in their boxes when Escape leaves them", async () => {
    await listOneTrace();
    await page.goto(`${suite.app.base}/?q=service%3Dorders&minDurationMs=1`);
    await expect.poll(() => box().inputValue()).toBe("service=orders");
    await box().focus();
    await page.keyboard.press("End");
    await settled();
    await page.keyboard.press("Escape");
    // Left, not emptied: the box still shows the query the list is filtered by.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("role"))).not.toBe("combobox");
    expect(await box().inputValue()).toBe("service=orders");
    const min = page.getByRole("searchbox", { name: /^Minimum duration/ });
    await min.focus();
    await page.keyboard.press("Escape");
    await settled();
    expect(await min.inputValue()).toBe("1ms");
    expect(new URL(page.url()).search).toBe("?q=service%3Dorders&minDurationMs=1");
  });

  it("opens its suggestions under an error's message, not over it", async () => {
    await listOneTrace();
    await box().click();
    await page.keyboard.type("status=error service=(");
    const hint = page.locator("#query-hint[role=alert]");
    await hint.waitFor();
    await page.keyboard.press("Backspace");
    await page.keyboard.type("(");
    await options().first().waitFor();
    // Every line of the message in view, and the list under its last.
    const uncovered = () =>
      hint.evaluate((element) => {
        const box = element.getBoundingClientRect();
        const list = document.querySelector(".query-suggestions")?.getBoundingClientRect();
        const atTop = document.elementFromPoint(box.left + 20, box.top + 4)?.closest("#query-hint") !== null;
        return atTop && list !== undefined && list.top >= box.bottom;
      });
    expect(await uncovered()).toBe(true);
    // A message of two lines (a narrower page): the list goes under both.
    await page.setViewportSize({ width: 700, height: 900 });
    await page.keyboard.press("Backspace");
    await page.keyboard.type("(");
    await options().first().waitFor();
    expect(await hint.evaluate((element) => element.getBoundingClientRect().height)).toBeGreaterThan(20);
    expect(await uncovered()).toBe(true);
  });

  it("marks the rows of the query before while the one typed does not parse, until a query typed since answers", async () => {
    const wanted = await sendSdkTrace(suite.app.base, { service: "payments", name: "POST /checkout" });
    await sendSdkTrace(suite.app.base, { service: "orders", name: "GET /orders/:id" });
    await page.goto(suite.app.base);
    await page.locator("[data-trace-id]").nth(1).waitFor();
    await box().click();
    await page.keyboard.type("checkout");
    await page.waitForURL(`**/?q=checkout`);
    await expect.poll(() => page.locator("[data-trace-id]").count()).toBe(1);
    const note = page.getByTestId("unanswered-query");
    const rowsOpacity = () => page.locator(".trace-rows").evaluate((rows) => Number(getComputedStyle(rows).opacity));
    expect(await note.count()).toBe(0);
    expect(await rowsOpacity()).toBe(1);

    // A value still to come is not sent: the rows are still those for "checkout", and say so, faded.
    await box().fill("checkout service=");
    await expect
      .poll(() => note.textContent())
      .toBe("Showing results for checkout: the query typed does not parse yet.");
    expect(await rowsOpacity()).toBeLessThan(1);
    // Past the typing pause too.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await settled();
    expect(await note.textContent()).toBe("Showing results for checkout: the query typed does not parse yet.");
    expect(new URL(page.url()).searchParams.get("q")).toBe("checkout");
    await page.locator(`[data-trace-id="${wanted.traceId}"]`).waitFor();

    // The query completed is answered: no mark.
    await box().fill("checkout service=payments");
    await page.waitForURL(`**/?q=${encodeURIComponent("checkout service=payments").replaceAll("%20", "+")}`);
    await expect.poll(() => note.count()).toBe(0);
    await expect.poll(rowsOpacity).toBe(1);
    await page.locator(`[data-trace-id="${wanted.traceId}"]`).waitFor();

    // Any other mistake is marked at once, before the pause sends it (a moment a busy machine could
    // let pass unseen: the page notes each text the mark has); sent, the query's error says why under
    // the box, as before, and the list says to fix it in the rows' place.
    await page.evaluate(() => {
      const seen: string[] = [];
      Object.assign(window, { marks: seen });
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="unanswered-query"]')?.textContent;
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await box().fill("checkout service=payments |");
    await expect.poll(() => page.locator("#query-hint[role=alert]").textContent()).toContain('after "or"');
    expect(await page.evaluate(() => (window as unknown as { marks: string[] }).marks)).toEqual([
      "Showing results for checkout service=payments: the query typed does not parse yet.",
    ]);
    expect(await note.count()).toBe(0);
    await page.getByText("Fix the query above to list traces").waitFor();

    // Back at the query the rows answer, the mark goes too.
    await box().fill("checkout service=payments");
    await expect.poll(() => page.locator("#query-hint[role=alert]").count()).toBe(0);
    await page.locator(`[data-trace-id="${wanted.traceId}"]`).waitFor();
    await box().fill("checkout service=payments -name=");
    await expect.poll(() => note.count()).toBe(1);
    await box().fill("checkout service=payments");
    await expect.poll(() => note.count()).toBe(0);
    await expect.poll(rowsOpacity).toBe(1);
  });
});
