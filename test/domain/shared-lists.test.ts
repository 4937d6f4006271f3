import { describe, expect, it } from "vitest";
import { NO_NAMES, sharedList, sharedListWith } from "../../src/domain/shared-lists.js";
import { TraceAggregate } from "../../src/domain/trace-summary.js";
import { makeSpan } from "../store/span-fixtures.js";

describe("sharedList", () => {
  it("gives equal lists one frozen list of their exact names", () => {
    const a = sharedList(["shop", "users"]);
    expect(sharedList(["shop", "users"])).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(sharedList(["users", "shop"])).toEqual(["users", "shop"]);
    expect(sharedList([])).toEqual([]);
  });

  it("tells apart lists whose names join alike", () => {
    const a = sharedList(["a\u0000", "b"]);
    const b = sharedList(["a", "\u0000b"]);
    expect(a).toEqual(["a\u0000", "b"]);
    expect(b).toEqual(["a", "\u0000b"]);
  });
});

describe("sharedListWith", () => {
  it("gives the shared list one name longer, the same one each time", () => {
    const shop = sharedListWith(NO_NAMES, "shop");
    expect(shop).toBe(sharedList(["shop"]));
    const longer = sharedListWith(shop, "users");
    expect(longer).toEqual(["shop", "users"]);
    expect(Object.isFrozen(longer)).toBe(true);
    expect(sharedListWith(shop, "users")).toBe(longer);
    expect(sharedListWith(sharedList(["shop"]), "users")).toBe(longer);
    expect(sharedListWith(shop, "mail")).toEqual(["shop", "mail"]);
    expect(shop).toEqual(["shop"]);
  });

  it("reads a list that may still change afresh each time", () => {
    const growing = ["shop"];
    expect(sharedListWith(growing, "users")).toEqual(["shop", "users"]);
    growing.push("mail");
    expect(sharedListWith(growing, "users")).toEqual(["shop", "mail", "users"]);
  });
});

describe("TraceAggregate's services", () => {
  it("are one list for traces of the same services, and each trace's own still", () => {
    const first = new TraceAggregate("t1");
    const second = new TraceAggregate("t2");
    first.add(makeSpan({ trace: 1, span: 1, service: "shop", end: 5 }));
    second.add(makeSpan({ trace: 2, span: 1, service: "shop", end: 5 }));
    expect(second.services).toBe(first.services);
    second.add(makeSpan({ trace: 2, span: 2, parent: 1, service: "users", end: 4 }));
    expect(first.services).toEqual(["shop"]);
    expect(second.services).toEqual(["shop", "users"]);
    expect(second.toSummary().services).toEqual(["shop", "users"]);
  });
});
