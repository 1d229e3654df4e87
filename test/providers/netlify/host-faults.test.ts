/**
 * Random fault schedules (a lost create answered 422 on its retry, 429 with an epoch reset, 5xx,
 * dropped connections) against the Netlify providers in the SDK's real dynamic-provider host, with
 * `pulumi up` re-run until it succeeds, as a user would: whatever happens, there is exactly one
 * site (no duplicate, no orphan), every variable holds exactly its contexts, and every failure on
 * the way is one clear line naming the resource.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { netlifyEngine, startNetlifyHost } from "../../engine/netlify-host";
import type { ProviderHost } from "../../engine/provider-host";
import { upUntilDone } from "../../engine/up-until-done";
import { type FaultKind, NetlifyEmulator } from "./emulator";

let emu: NetlifyEmulator;
let host: ProviderHost;

beforeAll(async () => {
  emu = await new NetlifyEmulator().start();
  host = await startNetlifyHost(emu);
});
afterAll(async () => {
  await host?.stop();
  await emu?.stop();
});

const SITE = { accountSlug: "acme", name: "shop-web", productionBranch: "main", base: "web", command: "npm run build", publishDir: "dist" };
const FAILURE =
  /^Netlify (site|variable|domains) '[^']+'(: | \S+ exists, but )Netlify API (GET|POST|PATCH|PUT|DELETE) \/\S+ failed \((\d+|no response)\): \S.*$/;

type Part = "site" | "env" | "domains";

async function runSchedule(faults: (FaultKind | undefined)[], withUpdate: boolean, part: Part, listLag: number): Promise<string[]> {
  // 429s name a reset of "now" (an epoch second already begun), so waiting them out costs nothing.
  emu.reset({ teams: { acme: "free" }, listLag });
  const engine = netlifyEngine(host);
  const failures: string[] = [];
  const faultCount = faults.filter(Boolean).length;
  const faulty = async (steps: () => Promise<void>) => {
    emu.requests.length = 0;
    emu.schedule = faults.map((k) => (k === "429" ? { kind: "429", resetInSeconds: 0 } : k));
    await steps();
    emu.schedule = [];
  };
  const up = (kind: string, name: string, inputs: Record<string, unknown>) => upUntilDone(() => engine.up(kind, name, inputs), failures, faultCount, FAILURE);

  if (part === "site") {
    const next = { ...SITE, name: "shop-front", publishDir: "build" };
    const want = withUpdate ? next : SITE;
    await faulty(async () => {
      await up("site", "web", SITE);
      if (withUpdate) await up("site", "web", next);
    });
    const s = engine.get("site", "web");
    // No duplicate and no orphan: the one site Netlify has is the one in state.
    expect(emu.listSites().map((x) => [x.id, x.name, x.build_settings.dir])).toEqual([[s.id, want.name, want.publishDir]]);
    // Another up finds nothing left to do (no refresh first: the faults are over and the site is checked above).
    expect((await engine.up("site", "web", want, { preview: true })).op).toBe("same");
    return failures;
  }

  // The site is there already (made directly, no engine calls): the faults land on the part under test.
  const siteId = emu.seedSite("acme", "shop-web").id as string;
  if (part === "env") {
    const v = {
      accountSlug: "acme",
      siteId,
      key: "VITE_API_URL",
      isSecret: false,
      values: [
        { context: "production", value: "https://api.example.com" },
        { context: "branch", contextParameter: "staging", value: "https://staging.example.com" },
      ],
    };
    const next = { ...v, values: [{ context: "production", value: "https://api2.example.com" }, { context: "deploy-preview", value: "https://pr.example.com" }] };
    const want = withUpdate ? next : v;
    await faulty(async () => {
      await up("envVar", "api", v);
      if (withUpdate) await up("envVar", "api", next);
    });
    const remote = emu.envOf(siteId);
    expect(remote.map((e) => e.key)).toEqual(["VITE_API_URL"]);
    const got = remote[0]!.values.map((x) => `${x.context}${x.context_parameter ? `:${x.context_parameter}` : ""}=${x.value}`).sort();
    expect(got).toEqual(want.values.map((x) => `${x.context}${"contextParameter" in x ? `:${x.contextParameter}` : ""}=${x.value}`).sort());
    expect((await engine.up("envVar", "api", want, { preview: true })).op).toBe("same");
  } else {
    const d = { siteId, customDomain: "shop.example.com", aliases: ["shop.example.org"] };
    const want = withUpdate ? { ...d, aliases: ["www2.example.org"] } : d;
    await faulty(async () => {
      await up("domains", "domains", d);
      if (withUpdate) await up("domains", "domains", want);
    });
    expect(emu.sites.get(siteId)!.site).toMatchObject({ custom_domain: want.customDomain, domain_aliases: want.aliases });
    expect(emu.sites.get(siteId)!.ssl.domains).toEqual([want.customDomain, ...want.aliases]);
    expect(engine.get("domains", "domains").outputs.certificateState).toBe("issued");
  }
  expect(emu.sites.size).toBe(1);
  return failures;
}

describe("fault schedules through the provider host", () => {
  const kinds: FaultKind[] = ["429", "500", "502", "503", "drop", "lost"];
  const schedule = fc.array(fc.option(fc.constantFrom(...kinds), { nil: undefined, freq: 2 }), { maxLength: 10 });

  it("end with exactly one site, no orphan, every variable in exactly its contexts, for 200 random schedules", async () => {
    await fc.assert(
      fc.asyncProperty(schedule, fc.boolean(), fc.constantFrom<Part>("site", "env", "domains"), fc.constantFrom(0, 0, 1, 3), async (faults, withUpdate, part, lag) => {
        await runSchedule(faults, withUpdate, part, lag);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 200), seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined },
    );
  }, 180_000);

  it("a lost create whose retry is answered 422 adopts the site: one site, no failure", async () => {
    const failures = await runSchedule(["lost"], false, "site", 1);
    expect(failures).toEqual([]);
    const posts = emu.requests.filter((r) => r.method === "POST");
    expect(posts.length).toBe(2);
  });

  it("converges on the next run, without a duplicate, when one run exhausts its retries", async () => {
    // More 500s in a row than the client's 3 attempts on an idempotent call: the up fails once in one line, the re-run finishes.
    const failures = await runSchedule([undefined, undefined, undefined, "500", "500", "500"], false, "env", 0);
    expect(failures.length).toBeLessThanOrEqual(1);
    for (const f of failures) expect(f).toMatch(FAILURE);
  });
});
