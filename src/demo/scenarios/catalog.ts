/** The small shop every scenario talks about, so ids and names agree across traces. */
export const PRODUCTS = [
  { id: 1042, slug: "trail-running-shoes", name: "Trail running shoes", price: 129.9 },
  { id: 1077, slug: "merino-hoodie", name: "Merino hoodie", price: 89.0 },
  { id: 1103, slug: "insulated-bottle", name: "Insulated bottle 750 ml", price: 24.5 },
  { id: 1151, slug: "headlamp-400", name: "Headlamp 400 lm", price: 39.99 },
  { id: 1208, slug: "rain-shell-jacket", name: "Rain shell jacket", price: 159.0 },
  { id: 1266, slug: "wool-socks-3-pack", name: "Wool socks (3 pack)", price: 19.95 },
] as const;

export const SEARCH_TERMS = ["rain jacket", "socks", "running shoes", "bottle", "headlamp", "hoodie"] as const;

export function formatEuros(amount: number): string {
  return `€${amount.toFixed(2)}`;
}
