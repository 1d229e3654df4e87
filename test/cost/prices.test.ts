import { describe, expect, it } from "vitest";
import { renderServicePlans } from "../../config/backend";
import { formatUsd } from "../../cost/estimate";
import { allEntries, PRICES, priceBounds, staleTableMessage, type Price } from "../../cost/prices";

const ISO = /^\d{4}-\d{2}-\d{2}$/;

describe("the price table", () => {
  it("is not older than its review date (today, by the real clock)", () => {
    // On failure: re-read every source, update the prices and their 'read' dates, move reviewBy on.
    expect(staleTableMessage()).toBeUndefined();
  });

  it("the staleness check fails the day after reviewBy, and not on it", () => {
    const at = (iso: string) => new Date(`${iso}T12:00:00Z`);
    expect(staleTableMessage(at(PRICES.reviewBy))).toBeUndefined();
    const next = new Date(at(PRICES.reviewBy).getTime() + 86_400_000);
    expect(staleTableMessage(next)).toBe(
      `cost/prices.ts was due for review on ${PRICES.reviewBy} (today is ${next.toISOString().slice(0, 10)}): ` +
        "re-read each source, update the prices and their 'read' dates, and move 'reviewBy' on",
    );
  });

  it("gives every price and limit a source, the date it was read and whether it is confirmed", () => {
    const entries = allEntries();
    expect(entries.length).toBeGreaterThan(25);
    for (const { path, entry } of entries) {
      expect(entry.source.length, path).toBeGreaterThan(10);
      expect(entry.read, path).toMatch(ISO);
      expect(entry.read <= PRICES.reviewBy, path).toBe(true);
      expect(typeof entry.confirmed, path).toBe("boolean");
    }
    // The reference marks every Render figure but the free plans UNCONFIRMED; Vercel's and Cloudflare's are first-party.
    const unconfirmed = entries.filter((e) => !e.entry.confirmed).map((e) => e.path);
    expect(unconfirmed).toEqual(expect.arrayContaining(["render.webService.starter", "render.postgres.basic_1gb", "render.postgresStorage", "render.disk"]));
    expect(unconfirmed.filter((p) => /^(vercel|cloudflare)\./.test(p))).toEqual([]);
    // The figures review corrected (issue 21): each ≈ until a first-party source confirms it.
    expect(priceBounds(PRICES.render.keyValue.starter!)).toEqual([10, 10]);
    expect(priceBounds(PRICES.render.postgres.basic_4gb!)).toEqual([75, 75]);
    expect(unconfirmed).toEqual(expect.arrayContaining(["render.keyValue.starter", "render.postgres.basic_4gb", "render.workspace.pro", "render.workspace.scale"]));
    expect(PRICES.limits.renderPostgresDefaultDiskGB.basic!.value).toBe(15);
  });

  it("covers every plan the config accepts, so none can be priced at a silent $0", () => {
    for (const plan of renderServicePlans) expect(PRICES.render.webService[plan], plan).toBeDefined();
    for (const plan of ["hobby", "pro"]) expect(PRICES.vercel.plan[plan], plan).toBeDefined();
    for (const plan of ["free", "paid"]) expect(PRICES.cloudflare.workers[plan], plan).toBeDefined();
  });

  it("prints an UNCONFIRMED price with ≈ and a confirmed one without", () => {
    const cents = (p: Price) => priceBounds(p).map((x) => Math.round(x * 100)) as [number, number];
    const starter = PRICES.render.webService.starter!;
    const pro = PRICES.vercel.plan.pro!;
    expect(formatUsd(cents(starter), !starter.confirmed)).toBe("≈$7.00");
    expect(formatUsd(cents(pro), !pro.confirmed)).toBe("$20.00");
    expect(formatUsd([5000, 10000], true)).toBe("≈$50.00–$100.00");
  });
});
