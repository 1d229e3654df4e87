/**
 * index.ts with `webstack:database.server: supabase` (stacks/examples/supabase.yaml) through the
 * SDK's cmd/run against the recording engine, preview and update: it registers what the offline
 * synth registers, and the service key never leaves a secret. Lean: two runs, in parallel.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../../synth/manifest";
import { readStackFile, type StackFile } from "../../synth/stack-file";
import { fromManifest, fromRun, runBothModes } from "./compare-with-synth";
import { ROOT, type ProgramRun } from "./program-host";

let file: StackFile;
let synth: Manifest;
let runs: Record<"preview" | "update", ProgramRun>;

beforeAll(async () => {
  const f = readStackFile(ROOT, "supabase-staging", join(ROOT, "stacks", "examples", "supabase.yaml"));
  file = { ...f, config: { ...f.config, "webstack:secrets": JSON.stringify({ STRIPE_SECRET_KEY: "sk_live_sb_5f0c2a91" }) }, secretKeys: [...f.secretKeys, "webstack:secrets"].sort() };
  ({ runs, synth } = await runBothModes(file));
}, 120_000);

describe("cmd/run with server: supabase", () => {
  it.each(["preview", "update"] as const)("%s: exits 0 and registers the Supabase project, bucket and database as the synth does", (mode) => {
    const run = runs[mode]!;
    expect(run.code, run.stderr).toBe(0);
    expect(run.logs.filter((l) => l.severity === "error")).toEqual([]);
    const mine = fromRun(run.resources);
    expect([...mine.keys()]).toEqual([...fromManifest(synth).keys()]);
    const types = run.resources.map((r) => r.type);
    expect(types).toContain("pulumi-nodejs:dynamic/supabase:Project");
    expect(types).toContain("pulumi-nodejs:dynamic/supabase:Bucket");
  });

  it("update: the service key reaches the backend as a secret, the publishable key the frontend", () => {
    const run = runs.update!;
    const text = JSON.stringify(run.resources.map((r) => r.inputs));
    const vercel = run.resources.filter((r) => r.type.startsWith("vercel:index/projectEnvironmentVariable")).map((r) => r.inputs.key);
    expect(vercel).toEqual(expect.arrayContaining(["VITE_SUPABASE_URL", "VITE_SUPABASE_ANON_KEY"]));
    expect(vercel.some((k) => /SERVICE|SECRET/.test(String(k)))).toBe(false);
    expect(run.stdout + run.stderr).not.toContain("sb_secret_");
    expect(text).toContain("SUPABASE_SERVICE_ROLE_KEY");
  });
});
