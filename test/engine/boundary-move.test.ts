/**
 * The move of an existing staging stack off its StackReferences into prod (docs/architecture.md,
 * "Moving an existing deployment"): the same program through `cmd/run`, before (renderProject.from,
 * frontend.from) and after (the ids copied from prod's outputs). Today's program refuses `from` a
 * production stack, so "before" names a non-production owner with prod's outputs: the same code
 * path, resource names and inputs the older program registered (only the reads' target differs). Then the Render environment through
 * the real dynamic-provider host against the Render emulator: created by the old program's inputs,
 * `same` under the new ones. No replacement of the Render project, the environment or the Vercel
 * resources that hang off the Vercel project.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeStackOutputs } from "../../synth/fake-outputs";
import { readStackFile, type StackFile } from "../../synth/stack-file";
import { startEmulator, type RenderEmulator } from "../providers/render/emulator";
import { Engine } from "./engine";
import { ROOT, runProgram, type ProgramRun } from "./program-host";
import type { ProviderHost } from "./provider-host";
import { startRenderHost } from "./render-host";

const SECRETS = { STRIPE_SECRET_KEY: "sk_test_move", WEBHOOK_SIGNING_KEY: "whsec_move" };
const prodOutputs = fakeStackOutputs["^acme/webstack/prod$"]!("acme/webstack/prod").outputs as { renderProjectId: string; frontendProjectId: string };

/** Staging's committed file, with its secrets set and its two project sources replaced by `edit`. */
function staging(edit: (app: Record<string, any>, frontend: Record<string, any>) => void): StackFile {
  const file = readStackFile(ROOT, "staging");
  const app = JSON.parse(file.config["webstack:app"]!);
  const frontend = JSON.parse(file.config["webstack:frontend"]!);
  edit(app, frontend);
  return {
    ...file,
    config: { ...file.config, "webstack:app": JSON.stringify(app), "webstack:frontend": JSON.stringify(frontend), "webstack:secrets": JSON.stringify(SECRETS) },
    secretKeys: [...new Set([...file.secretKeys, "webstack:secrets"])].sort(),
  };
}

// Before: the two references, as the stack files had them (the owner answers with prod's outputs).
const OWNER = "acme/webstack/platform";
const before = staging((app, frontend) => {
  app.renderProject = { from: OWNER };
  delete frontend.projectId;
  frontend.from = OWNER;
});
// After step 2: the ids `pulumi stack output --stack acme/webstack/prod` printed.
const after = staging((app, frontend) => {
  app.renderProject = { id: prodOutputs.renderProjectId };
  frontend.projectId = prodOutputs.frontendProjectId;
});

let runs: [ProgramRun, ProgramRun];
let emu: RenderEmulator;
let host: ProviderHost;
beforeAll(async () => {
  [runs, emu] = await Promise.all([
    Promise.all([runProgram({ file: before, dryRun: false, organization: "acme" }), runProgram({ file: after, dryRun: false, organization: "acme" })]),
    startEmulator(),
  ]);
  host = await startRenderHost(emu);
}, 60_000);
afterAll(async () => {
  await host?.stop();
  await emu?.stop();
});

const byUrn = (run: ProgramRun) => new Map(run.resources.map((r) => [r.urn, r]));
const withoutProvider = ({ __provider: _p, ...rest }: Record<string, any>) => rest;

describe("moving staging off its references into prod", () => {
  it("both programs run; after the move no StackReference names prod", () => {
    for (const run of runs) expect(run.code, `${run.stderr}\n${run.logs.map((l) => l.message).join("\n")}`).toBe(0);
    const refs = (run: ProgramRun) => run.resources.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => String(r.inputs.name));
    expect(refs(runs[0])).toEqual([OWNER, OWNER]);
    expect(refs(runs[1])).toEqual([]);
  });

  it("every other resource registers with the same inputs: nothing is replaced, only the two reads go away", () => {
    const [old, next] = runs.map(byUrn) as [ReturnType<typeof byUrn>, ReturnType<typeof byUrn>];
    const gone = [...old.keys()].filter((u) => !next.has(u));
    const added = [...next.keys()].filter((u) => !old.has(u));
    expect(gone.map((u) => u.split("::").pop()).sort()).toEqual(["frontend-project", "render-project"]);
    expect(added).toEqual([]);
    const changed = [...next.entries()].filter(([urn, r]) => JSON.stringify(old.get(urn)!.inputs) !== JSON.stringify(r.inputs)).map(([urn]) => urn);
    expect(changed).toEqual([]);
    // The resources that hang off the two projects, by the project id they carry.
    const env = [...next.values()].find((r) => r.type === "pulumi-nodejs:dynamic/render:Environment")!;
    expect(env.inputs.projectId).toBe(prodOutputs.renderProjectId);
    const vercel = [...next.values()].filter((r) => r.type.startsWith("vercel:"));
    expect(vercel.length).toBeGreaterThan(3);
    for (const r of vercel) expect(r.inputs.projectId, r.urn).toBe(prodOutputs.frontendProjectId);
  });

  it("through the Render provider host: the project and the environment are `same` after the move, not replaced", async () => {
    const engine = new Engine(host);
    // prod's project, as prod's stack created it; its id is what prod's renderProjectId output holds.
    const projectInputs = { ownerId: "tea-cs1ott7acme2prod4x0", name: "ott", environments: [{ name: "prod", protected: true }] };
    const project = await engine.up("project", "render-project", projectInputs);
    const real = (run: ProgramRun) => {
      const env = run.resources.find((r) => r.type === "pulumi-nodejs:dynamic/render:Environment")!;
      return { ...withoutProvider(env.inputs), projectId: project.state!.id };
    };
    expect((await engine.up("environment", "render-environment", real(runs[0]))).op).toBe("create");
    engine.steps.length = 0;
    expect((await engine.up("environment", "render-environment", real(runs[1]))).op).toBe("same");
    expect((await engine.up("project", "render-project", projectInputs)).op).toBe("same");
    expect(engine.steps.map((s) => s.op)).toEqual(["same", "same"]);
    expect(emu.projects.environments.size).toBe(2);
  });
});
