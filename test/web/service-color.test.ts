import { describe, expect, it } from "vitest";
import { preferredColorSlot, SERVICE_PALETTE_SIZE } from "../../src/domain/service-colors";
import { colorOfSlot, createServiceColors, PALETTE, serviceColorProperty } from "../../web/src/lib/service-color";

function recordingTarget(): { properties: Map<string, string>; setProperty(name: string, value: string): void } {
  const properties = new Map<string, string>();
  return { properties, setProperty: (name, value) => void properties.set(name, value) };
}

describe("service colours", () => {
  it("has one colour per server slot, all distinct, also past the palette", () => {
    expect(PALETTE).toHaveLength(SERVICE_PALETTE_SIZE);
    const colors = Array.from({ length: 40 }, (_, i) => colorOfSlot(i));
    expect(new Set(colors).size).toBe(40);
  });

  it("is a function of the name, whatever was drawn before: its own slot until the server says", () => {
    const one = createServiceColors(null);
    const other = createServiceColors(null);
    one.css("web-frontend");
    one.css("cart-service");
    // Asked first in one page and last in another, a service reads the same.
    expect(other.css("shop-api")).toBe(one.css("shop-api"));
    expect(one.css("shop-api")).toBe(
      `var(${serviceColorProperty("shop-api")}, ${colorOfSlot(preferredColorSlot("shop-api"))})`,
    );
    expect(one.value("shop-api")).toBe(colorOfSlot(preferredColorSlot("shop-api")));
  });

  it("takes the server's assignment through a custom property, so drawn elements follow it", () => {
    const target = recordingTarget();
    const colors = createServiceColors(target);
    const own = preferredColorSlot("shop-api");
    const given = (own + 1) % SERVICE_PALETTE_SIZE;
    colors.apply({ "shop-api": given });
    expect(target.properties.get(serviceColorProperty("shop-api"))).toBe(colorOfSlot(given));
    expect(colors.value("shop-api")).toBe(colorOfSlot(given));
    // The element's colour names the property: it changes without the element being drawn again.
    expect(colors.css("shop-api")).toContain(serviceColorProperty("shop-api"));
    expect(serviceColorProperty("shop-api")).toMatch(/^--service-[0-9a-f]{8}$/);
  });

  it("tells subscribers when the assignment changes a colour, so canvases draw again", () => {
    const colors = createServiceColors(null);
    let calls = 0;
    const unsubscribe = colors.subscribe(() => calls++);
    const own = preferredColorSlot("shop-api");
    // Named in the slot it was already drawn in: nothing to redraw.
    colors.apply({ "shop-api": own });
    expect(calls).toBe(0);
    expect(colors.version()).toBe(0);
    colors.apply({ "cart-service": (preferredColorSlot("cart-service") + 1) % SERVICE_PALETTE_SIZE });
    expect(calls).toBe(1);
    expect(colors.version()).toBe(1);
    // The same assignment again changes nothing.
    colors.apply({ "cart-service": (preferredColorSlot("cart-service") + 1) % SERVICE_PALETTE_SIZE });
    expect(calls).toBe(1);
    unsubscribe();
    colors.apply({ "shop-api": (own + 2) % SERVICE_PALETTE_SIZE });
    expect(calls).toBe(1);
    expect(colors.version()).toBe(2);
  });
});
