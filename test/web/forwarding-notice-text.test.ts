import { describe, expect, it } from "vitest";
import { forwardingNoticeText } from "../../web/src/components/forwarding-notice-text";

const MiB = 1024 * 1024;

describe("forwardingNoticeText", () => {
  it("says batches dropped for a full queue were dropped because its bound was passed while the upstream failed", () => {
    const targets = [{ dropped: 16, queueFull: 16, rejectedItems: 0, lastError: "HTTP 503: unavailable" }];
    expect(forwardingNoticeText(targets, 0, 64 * MiB)).toBe(
      "They were dropped, the oldest first, because the forwarding queue was full (its bound, 64 MiB per upstream) while the upstream failed. What this server kept of it is still here; the upstream's copy misses it. Latest: HTTP 503: unavailable",
    );
    const one = [{ dropped: 1, queueFull: 1, rejectedItems: 0, lastError: "HTTP 503: unavailable" }];
    expect(forwardingNoticeText(one, 0, 64 * MiB)).toMatch(
      /^It was dropped because the forwarding queue was full \(its bound, 64 MiB per upstream\)/,
    );
  });

  it("does not say the upstream failed when it gave no error", () => {
    const targets = [{ dropped: 2, queueFull: 2, rejectedItems: 0, lastError: null }];
    expect(forwardingNoticeText(targets, 0, 64 * MiB)).toMatch(
      /because the forwarding queue was full \(its bound, 64 MiB per upstream\) as data came faster than it could be sent\./,
    );
  });

  it("says how many of several dropped batches the full queue took, when the upstream refused the others", () => {
    const targets = [{ dropped: 5, queueFull: 3, rejectedItems: 0, lastError: "HTTP 400: bad" }];
    expect(forwardingNoticeText(targets, 0, 64 * MiB)).toMatch(/^3 of them were dropped because the forwarding queue/);
  });

  it("says nothing of the queue when the upstream refused every dropped batch", () => {
    const targets = [{ dropped: 2, queueFull: 0, rejectedItems: 0, lastError: "HTTP 400: tenant unknown" }];
    expect(forwardingNoticeText(targets, 0, 64 * MiB)).toBe(
      "What this server kept of it is still here; the upstream's copy misses it. Latest: HTTP 400: tenant unknown",
    );
  });

  it("does not say items the upstream rejected are still here when items were rejected here too: they were forwarded as well", () => {
    const targets = [{ dropped: 0, rejectedItems: 2, lastError: "HTTP 200, partial success: 2 rejected" }];
    const text = forwardingNoticeText(targets, 2);
    expect(text).not.toContain("still here");
    expect(text).toBe(
      "Requests are forwarded as received, with the items rejected here, so the items the upstream rejected may be those: they are in neither place. Latest: HTTP 200, partial success: 2 rejected",
    );
    // Nothing rejected here: the items it rejected are here only.
    expect(forwardingNoticeText(targets, 0)).toBe(
      "The items the upstream rejected are still here; its copy misses them. Latest: HTTP 200, partial success: 2 rejected",
    );
  });
});
