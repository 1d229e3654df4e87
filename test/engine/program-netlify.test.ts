/**
 * index.ts with `webstack:frontend.host: netlify` (the example stack, stacks/examples/render-netlify.yaml)
 * through the SDK's real cmd/run against the recording engine, in preview and update: it registers
 * what the offline synth registers, the Netlify resources included, and nothing of Vercel.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../../synth/manifest";
import { redact } from "../../synth/redact";
import { readStackFile, type StackFile } from "../../synth/stack-file";
import { countUnknowns, fromManifest, fromRun, runBothModes } from "./compare-with-synth";
import { ROOT, type ProgramRun } from "./program-host";

const EXAMPLE = `${ROOT}/stacks/examples/render-netlify.yaml`;
let file: StackFile;
let synth: Manifest;
let runs: Record<"preview" | "update", ProgramRun>;

beforeAll(async () => {
  file = readStackFile(ROOT, "prod", EXAMPLE);
  ({ runs, synth } = await runBothModes(file));
}, 120_000);

const errors = (run: ProgramRun) => run.logs.filter((l) => l.severity === "error").map((l) => l.message);

describe("cmd/run with frontend.host: netlify", () => {
  it.each(["preview", "update"] as const)("%s: exits 0 and registers the synth's resources, with the Netlify site, variables and domains", (mode) => {
    const run = runs[mode]!;
    expect(run.code, `${run.stderr}\n${errors(run).join("\n")}`).toBe(0);
    expect(errors(run)).toEqual([]);
    const mine = fromRun(run.resources);
    expect([...mine.keys()]).toEqual([...fromManifest(synth).keys()]);
    const types = run.resources.filter((r) => r.op === "register").map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(["webstack:index:NetlifyFrontend", "pulumi-nodejs:dynamic/netlify:Site", "pulumi-nodejs:dynamic/netlify:EnvVar", "pulumi-nodejs:dynamic/netlify:Domains"]));
    expect(types.filter((t) => t.startsWith("vercel:"))).toEqual([]);
  });

  it("update: inputs and outputs equal the synth's; the frontend URL is the Netlify production domain", () => {
    const run = runs.update!;
    const mine = fromRun(run.resources);
    const theirs = fromManifest(synth);
    expect(Object.fromEntries([...mine].map(([k, c]) => [k, c.inputs]))).toEqual(Object.fromEntries([...theirs].map(([k, c]) => [k, c.inputs])));
    expect(redact(run.stackOutputs)).toEqual(synth.outputs);
    expect(countUnknowns(run.resources.map((r) => r.inputs))).toBe(0);
    expect(synth.outputs).toMatchObject({ frontendHost: "netlify", frontendUrl: "https://shop.example.com" });
    // One variable per key, its values stored as a secret whatever they hold.
    const keys = [...theirs.values()].filter((c) => c.type === "pulumi-nodejs:dynamic/netlify:EnvVar").map((c) => c.inputs.key).sort();
    expect(keys).toEqual(["VITE_API_URL", "VITE_APP_NAME", "VITE_SUPABASE_ANON_KEY", "VITE_SUPABASE_URL"]);
  });

  it("preview: the API URL variable is unknown until the backend exists", () => {
    const run = runs.preview!;
    const vars = run.resources.filter((r) => r.op === "register" && r.type === "pulumi-nodejs:dynamic/netlify:EnvVar");
    expect(vars.length).toBe(4);
    expect(countUnknowns(vars.map((r) => r.inputs))).toBeGreaterThan(0);
  });
});
