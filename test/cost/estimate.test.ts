import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import YAML from "yaml";
import { rawSections } from "../../config/raw";
import { validateStackConfig } from "../../config/validate";
import { firesAtLeastEvery } from "../../components/cron-schedule";
import { PRICES, type Price } from "../../cost/prices";
import { costSection } from "../../cost/section";
import type { Manifest } from "../../synth/manifest";
import { synthesize } from "../../synth/run";
import { readStackFile } from "../../synth/stack-file";
import { ROOT, stackFileWith, synthStack } from "../harness";

const STACKS = ["prod", "staging", "dev", "pr-0"] as const;

function config(stack: string, overrides: Record<string, unknown> = {}) {
  const r = validateStackConfig({ ...rawSections(readStackFile(ROOT, stack).config), ...overrides }, stack);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}

/**
 * The expected monthly total in cents, from the stack file and the price table alone (not the
 * code under test): the backend plan × its instances (autoscaling min–max), one instance per
 * branch service, its disk, an isolated Render Postgres with its storage (when unset, Render's
 * default for the plan family: basic 15 GB, pro 100, accelerated 250), and the stack's own Key
 * Value (a range where its price is one; an R2 bucket has no fixed price).
 */
function expectedCents(stack: string): [number, number] {
  const file = stack.startsWith("pr-") ? join(ROOT, "stacks", "preview.yaml") : join(ROOT, `Pulumi.${stack}.yaml`);
  const c = YAML.parse(readFileSync(file, "utf8")).config;
  const usd = (p: Price | undefined) => Math.round(Number(p!.usd) * 100);
  const b = c["webstack:backend"];
  const each = usd(PRICES.render.webService[b.plan ?? "starter"]);
  const [min, max] = b.autoscaling ? [b.autoscaling.min, b.autoscaling.max] : [b.instances ?? 1, b.instances ?? 1];
  const fixed = each * (b.branches ?? []).length + (b.disk ? b.disk.sizeGB * usd(PRICES.render.disk) : 0);
  let pg = 0;
  const db = c["webstack:database"];
  if (db?.mode === "isolated" && (db.server ?? "render") === "render") {
    const plan = db.render?.plan ?? "basic_256mb";
    pg = usd(PRICES.render.postgres[plan]) + (plan === "free" ? 0 : (db.render?.diskSizeGB ?? ({ basic: 15, pro: 100, accelerated: 250 } as Record<string, number>)[plan.split("_")[0]!]!) * usd(PRICES.render.postgresStorage));
  }
  const cache = c["webstack:cache"];
  const kv: number | readonly [number, number] = cache?.mode === "own" ? PRICES.render.keyValue[cache.plan ?? "free"]!.usd : 0;
  const [kvLow, kvHigh] = typeof kv === "number" ? [kv, kv] : kv;
  return [each * min + fixed + pg + Math.round(kvLow * 100), each * max + fixed + pg + Math.round(kvHigh * 100)];
}

describe("the monthly estimate of each committed stack", () => {
  it.each(STACKS)("%s: matches the total computed from its stack file and the price table, to the cent", (stack) => {
    const expected = expectedCents(stack);
    expect(costSection(stack, config(stack)).total.cents).toEqual(expected);
    if (stack !== "pr-0") {
      // What `npm run synth -- <stack> --format json` writes (test/synth/cli.test.ts holds it to the snapshot).
      const snapshot = JSON.parse(readFileSync(join(ROOT, "snapshots", "synth", `${stack}.json`), "utf8"));
      expect(snapshot.cost.total.cents).toEqual(expected);
    }
    // The figures the docs quote (docs/cost.md), so a price change is a visible docs change too.
    expect(expected).toEqual({ prod: [8350, 13350], staging: [1750, 1750], dev: [0, 0], "pr-0": [0, 0] }[stack]);
  });

  it("marks a total ≈ exactly when one of its prices is UNCONFIRMED", () => {
    expect(costSection("prod", config("prod")).total.approx).toBe(true);
    expect(costSection("dev", config("dev")).total.approx).toBe(false);
    const pro = costSection("prod", config("prod", { frontend: { ...config("prod").frontend, plan: "pro" } }));
    expect(pro.shared.find((s) => s.shared === "vercel:acme")).toMatchObject({ plan: "pro", cents: [2000, 2000], approx: false });
  });
});

describe("what the estimate prices is what the program registers", () => {
  const manifests = new Map<string, Manifest>();
  beforeAll(async () => {
    for (const stack of STACKS) manifests.set(stack, await synthStack(stack));
  });

  it.each(STACKS)("%s: the plan, instances, disk and Postgres inputs of every Render resource", (stack) => {
    const m = manifests.get(stack)!;
    const facts = costSection(stack, config(stack)).facts;
    const services = m.resources
      .filter((r) => r.type === "pulumi-nodejs:dynamic/render:Service")
      .map(({ inputs: i }: any) => ({
        name: i.name,
        plan: i.plan,
        instances: i.autoscaling ? [i.autoscaling.min, i.autoscaling.max] : [i.numInstances ?? 1, i.numInstances ?? 1],
        ...(i.disk ? { diskGB: i.disk.sizeGB } : {}),
      }));
    expect(services.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      facts.services.map(({ keptAwake: _k, branch: _b, ...s }) => s).sort((a, b) => a.name.localeCompare(b.name)),
    );
    const pg = m.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/render:Postgres").map(({ inputs: i }: any) => ({ name: i.name, plan: i.plan, ...(i.diskSizeGB !== undefined ? { diskSizeGB: i.diskSizeGB } : {}) }));
    expect(pg).toEqual(facts.postgres ? [facts.postgres] : []);
    const kv = m.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/render:KeyValue").map(({ inputs: i }: any) => ({ name: i.name, plan: i.plan }));
    expect(kv).toEqual(facts.keyValue ? [facts.keyValue] : []);
    const buckets = m.resources.filter((r) => r.type === "cloudflare:index/r2Bucket:R2Bucket").map(({ inputs: i }: any) => ({ name: i.name }));
    expect(buckets).toEqual(facts.bucket ? [facts.bucket] : []);
    const trigger: any = m.resources.find((r) => r.type === "cloudflare:index/workersCronTrigger:WorkersCronTrigger");
    expect(trigger?.inputs.schedules.length ?? 0).toBe(facts.workers?.triggers ?? 0);
    // Kept awake: the Worker calls the main service on a registered schedule at least every 15 minutes.
    const schedules: string[] = (trigger?.inputs.schedules ?? []).map((s: any) => (typeof s === "string" ? s : s.cron));
    const pinged = schedules.some((s) => firesAtLeastEvery(s));
    expect(facts.services.map((s) => s.keptAwake)).toEqual(facts.services.map((_, i) => i === 0 && pinged));
  });
});

describe("the budget guard, webstack:budget.monthlyUsd", () => {
  const errors = (stack: string, overrides: Record<string, unknown>) => {
    const r = validateStackConfig({ ...rawSections(readStackFile(ROOT, stack).config), ...overrides }, stack);
    return r.ok ? [] : r.errors;
  };

  it("fails below the estimate's upper bound naming the key, the estimate and the three most expensive resources", () => {
    expect(errors("prod", { budget: { monthlyUsd: 133.49 } })).toEqual([
      "webstack:budget.monthlyUsd: the estimate of ≈$83.50–$133.50 a month exceeds the budget of $133.49; most expensive: " +
        "ott-prod-api (standard ×2–4) ≈$50.00–$100.00, ott-prod-db (basic_1gb + 15 GB) ≈$23.50, ott-prod-cache (starter) ≈$10.00. " +
        "Raise the budget or choose smaller plans (npm run synth -- prod --format cost).",
    ]);
    const backend = { ...config("staging").backend, branches: ["ann", "ben"] };
    const [message] = errors("staging", { backend, budget: { monthlyUsd: 20 } });
    expect(message).toContain("the estimate of ≈$31.50 a month exceeds the budget of $20.00; most expensive: ");
    expect(message).toContain("ott-staging-db (basic_256mb + 15 GB) ≈$10.50, ott-staging-api (starter ×1) ≈$7.00, ott-staging-api-ann (starter ×1) ≈$7.00.");
    expect(message).not.toContain("ott-staging-api-ben");
  });

  it("passes at or above the upper bound, and without a budget", () => {
    expect(errors("prod", { budget: { monthlyUsd: 133.5 } })).toEqual([]);
    expect(errors("prod", { budget: { monthlyUsd: 500 } })).toEqual([]);
    expect(errors("prod", { budget: {} })).toEqual([]);
    expect(errors("dev", { budget: { monthlyUsd: 0 } })).toEqual([]);
  });

  it("stops the program before it registers anything, as `pulumi preview` runs it", async () => {
    const file = stackFileWith("prod", { budget: { monthlyUsd: 10 } });
    const registered: string[] = [];
    vi.resetModules();
    const error = await synthesize({
      project: file.project,
      stack: "prod",
      organization: "acme",
      config: { ...file.config, "webstack:secrets": JSON.stringify({ STRIPE_SECRET_KEY: "x", WEBHOOK_SIGNING_KEY: "y" }) },
      secretKeys: ["webstack:secrets"],
      program: async () => {
        const mon: any = pulumi.runtime.getMonitor();
        const orig = mon.registerResource.bind(mon);
        mon.registerResource = (req: any, cb: any) => (registered.push(req.getType()), orig(req, cb));
        return import("../../index.js");
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(pulumi.RunError);
    expect((error as Error).message).toContain("Invalid configuration for stack 'prod' (1 problem):\n  webstack:budget.monthlyUsd: the estimate of ≈$83.50–$133.50 a month exceeds the budget of $10.00;");
    expect(registered.filter((t) => t !== "pulumi:pulumi:Stack")).toEqual([]);
  });

  it("refuses bad input naming the key, never pricing it at $0", () => {
    const prod = config("prod");
    expect(errors("prod", { budget: { monthlyUsd: -5 } })).toEqual(["webstack:budget.monthlyUsd: must be a number of US dollars, 0 or more"]);
    expect(errors("prod", { budget: { monthlyUsd: "lots" } })).toEqual(["webstack:budget.monthlyUsd: expected number, got string"]);
    expect(errors("prod", { budget: { freeServiceHours: 800 } })).toEqual(["webstack:budget.freeServiceHours: must be at most 730, the hours in a month"]);
    expect(errors("prod", { frontend: { ...prod.frontend, plan: "enterprise" } })).toEqual(["webstack:frontend.plan: expected 'hobby' | 'pro'"]);
    expect(errors("prod", { cron: { ...prod.cron, plan: "business" } })).toEqual(["webstack:cron.plan: expected 'free' | 'paid'"]);
    const database = { ...prod.database, render: { ...(prod.database as any).render, plan: "pro_4gb" } };
    expect(errors("prod", { database })).toEqual([
      "webstack:database.render.plan: 'pro_4gb' has no price in cost/prices.ts (priced: free, basic_256mb, basic_1gb, basic_4gb); " +
        "add it there with its source, or choose a priced plan",
    ]);
  });
});
