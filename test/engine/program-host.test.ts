/**
 * index.ts through its real entry: the SDK's cmd/run, started as the Node.js language host starts
 * it, against a recording engine (test/engine/program-host.ts). Every stack, preview and update,
 * registers what the offline synth registers; staging's move off its StackReferences changes
 * nothing but the reads. The runs are shared by the file and run two at a time; the in-process
 * synths run meanwhile.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawSections } from "../../config/raw";
import { referencedSecrets } from "../../config/secrets";
import { validateStackConfig } from "../../config/validate";
import { buildPreviewStack } from "../../scripts/preview-stack";
import { fakeStackOutputs } from "../../synth/fake-outputs";
import type { Manifest } from "../../synth/manifest";
import { redact, SECRET_SIG, SECRET_VALUE } from "../../synth/redact";
import { PREVIEW_TEMPLATE, readStackFile, type StackFile } from "../../synth/stack-file";
import { startEmulator, type RenderEmulator } from "../providers/render/emulator";
import { countUnknowns, fromManifest, fromRun, previewMismatches, synthFile, urnKey } from "./compare-with-synth";
import { Engine } from "./engine";
import { ROOT, runProgram, type ProgramRun, type ProgramRunOptions } from "./program-host";
import type { ProviderHost } from "./provider-host";
import { UNKNOWN, type StackOutputs } from "./recording-engine";
import { startRenderHost } from "./render-host";
import { pool } from "../../scripts/pool";

/** Set as `pulumi config set --secret` would; distinctive, so a leak is easy to find. */
const SECRETS = {
  STRIPE_SECRET_KEY: "sk_live_cmdrun_5f0c2a91",
  STRIPE_TEST_SECRET_KEY: "sk_test_cmdrun_7d13e8b4",
  WEBHOOK_SIGNING_KEY: "whsec_cmdrun_c4a9e170",
};
const STACKS = ["prod", "staging", "dev", "pr-42"] as const;
const MODES = ["preview", "update"] as const;
type Mode = (typeof MODES)[number];

function withSecrets(file: StackFile): StackFile {
  return {
    ...file,
    config: { ...file.config, "webstack:secrets": JSON.stringify(SECRETS) },
    secretKeys: [...new Set([...file.secretKeys, "webstack:secrets"])].sort(),
  };
}

/** A pull-request stack as the PR workflow makes it: scripts/preview-stack.ts writes Pulumi.pr-42.yaml. */
function prStackFile(): StackFile {
  const dir = mkdtempSync(join(tmpdir(), "pr-stack-"));
  copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  const built = buildPreviewStack(readFileSync(join(ROOT, PREVIEW_TEMPLATE), "utf8"), 42, "feature/checkout");
  writeFileSync(join(dir, `Pulumi.${built.stack}.yaml`), built.yaml);
  return readStackFile(dir, built.stack);
}

const synth = synthFile;

/**
 * The move of an existing staging stack off its StackReferences into prod (docs/architecture.md,
 * "Moving an existing deployment"). After: the committed staging file, which holds prod's project
 * ids as plain config (prod's `renderProjectId` and `frontendProjectId` outputs). Before: the same
 * file with its two project sources as references (renderProject.from, frontend.from), as the stack
 * files had them. Today's program refuses `from` a production stack, so "before" names a
 * non-production owner that answers with prod's outputs: the same code path, resource names and
 * inputs the older program registered (only the reads' target differs).
 */
const OWNER = "acme/webstack/platform";
function beforeMove(after: StackFile): { file: StackFile; owner: StackOutputs; ids: { renderProjectId: string; frontendProjectId: string } } {
  const app = JSON.parse(after.config["webstack:app"]!);
  const frontend = JSON.parse(after.config["webstack:frontend"]!);
  const ids = { renderProjectId: String(app.renderProject?.id), frontendProjectId: String(frontend.projectId) };
  app.renderProject = { from: OWNER };
  delete frontend.projectId;
  frontend.from = OWNER;
  const prod = fakeStackOutputs["^acme/webstack/prod$"]!("acme/webstack/prod");
  return {
    file: { ...after, config: { ...after.config, "webstack:app": JSON.stringify(app), "webstack:frontend": JSON.stringify(frontend) } },
    owner: { outputs: { ...prod.outputs, ...ids }, secretOutputNames: prod.secretOutputNames },
    ids,
  };
}


const ansi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");
const errors = (run: ProgramRun) => run.logs.filter((l) => l.severity === "error");
const describeRun = (run: ProgramRun) =>
  `exit ${run.code}\nstderr: ${run.stderr}\nerrors: ${errors(run)
    .map((l) => ansi(l.message))
    .join("\n")}`;

/** Paths where a plaintext appears outside a secret, and how often it appears inside one. */
function scanSecrets(value: unknown, plaintext: string, path = "", inSecret = false): { leaks: string[]; wrapped: number } {
  if (typeof value === "string") {
    const found = value.includes(plaintext);
    return { leaks: found && !inSecret ? [path] : [], wrapped: found && inSecret ? 1 : 0 };
  }
  if (!value || typeof value !== "object") return { leaks: [], wrapped: 0 };
  const secret = (value as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
  const parts = Object.entries(value).map(([k, v]) => scanSecrets(v, plaintext, `${path}.${k}`, inSecret || secret));
  return { leaks: parts.flatMap((p) => p.leaks), wrapped: parts.reduce((n, p) => n + p.wrapped, 0) };
}

const files = new Map<string, StackFile>();
const synths = new Map<string, Manifest>();
const runs = new Map<string, ProgramRun>();
let move: ReturnType<typeof beforeMove>;
/** Staging before the move, in an update (after it: `staging:update`). */
let moveBefore: ProgramRun;
/** prod's preview with the launcher's lean start-up off (WEBSTACK_LEAN_SDK=0). */
let fullSdk: ProgramRun;

beforeAll(async () => {
  const started = Date.now();
  for (const stack of STACKS) files.set(stack, withSecrets(stack === "pr-42" ? prStackFile() : readStackFile(ROOT, stack)));
  move = beforeMove(files.get("staging")!);
  const tasks: (() => Promise<void>)[] = [
    ...STACKS.flatMap((stack) =>
      MODES.map((mode) => async () => {
        const opts: ProgramRunOptions = { file: files.get(stack)!, dryRun: mode === "preview", probeModules: true };
        runs.set(`${stack}:${mode}`, await runProgram(opts));
      }),
    ),
    async () => {
      moveBefore = await runProgram({ file: move.file, dryRun: false, stacks: { [OWNER]: move.owner }, probeModules: true });
    },
    async () => {
      fullSdk = await runProgram({ file: files.get("prod")!, dryRun: true, probeModules: true, env: { WEBSTACK_LEAN_SDK: "0" } });
    },
  ];
  const children = pool(tasks, 2);
  // The offline synth of the same stack files, in this process, while the children run.
  for (const stack of STACKS) synths.set(stack, await synth(files.get(stack)!));
  await children;
  // Printed, not asserted (speed is the bench's job): what this file adds to the suite's budget.
  const each = [...runs].map(([k, r]) => `${k} ${r.ms.toFixed(0)}`).join(", ");
  console.log(`cmd/run: ${runs.size + 2} program runs and ${synths.size} synths in ${Date.now() - started} ms (${each})`);
}, 120_000);

describe.each(STACKS)("cmd/run, stack %s", (stack) => {
  it.each(MODES)("%s: exits 0 and registers the same resources, options and dependencies as the offline synth", (mode: Mode) => {
    const run = runs.get(`${stack}:${mode}`)!;
    expect(run.code, describeRun(run)).toBe(0);
    expect(errors(run)).toEqual([]);
    expect(run.shutdownSignalled).toBe(true);
    expect(run.unexpected).toEqual([]);
    expect(run.rootUrn).toBe(`urn:pulumi:${run.stack}::webstack::pulumi:pulumi:Stack::webstack-${run.stack}`);

    const mine = fromRun(run.resources);
    const synth = fromManifest(synths.get(stack)!);
    expect([...mine.keys()]).toEqual([...synth.keys()]);
    const withoutInputs = (m: typeof mine) => [...m.values()].map(({ inputs: _, ...rest }) => rest);
    expect(withoutInputs(mine)).toEqual(withoutInputs(synth));
  });

  it("update: every input and every stack output equals the synth's", () => {
    const run = runs.get(`${stack}:update`)!;
    const mine = fromRun(run.resources);
    const synth = fromManifest(synths.get(stack)!);
    expect(Object.fromEntries([...mine].map(([k, c]) => [k, c.inputs]))).toEqual(Object.fromEntries([...synth].map(([k, c]) => [k, c.inputs])));
    expect(redact(run.stackOutputs)).toEqual(synths.get(stack)!.outputs);
    // Created resources got ids, and nothing was left unknown.
    expect(run.resources.filter((r) => r.op === "register" && r.custom && !r.id)).toEqual([]);
    expect(countUnknowns(run.resources.map((r) => r.inputs))).toBe(0);
  });

  it("preview: ids and computed outputs are unknown, every known input equals the synth's", () => {
    const run = runs.get(`${stack}:preview`)!;
    const registered = run.resources.filter((r) => r.op === "register" && r.custom);
    expect(registered.filter((r) => r.id !== (r.type.startsWith("pulumi:providers:") ? UNKNOWN : ""))).toEqual([]);
    // Inputs computed from other resources' outputs are unknown in a preview, as `pulumi preview` shows them.
    expect(countUnknowns(run.resources.map((r) => r.inputs))).toBeGreaterThan(0);
    const mine = fromRun(run.resources);
    const synth = fromManifest(synths.get(stack)!);
    const mismatches = [...mine].flatMap(([key, c]) => previewMismatches(c.inputs, synth.get(key)?.inputs, key));
    expect(mismatches).toEqual([]);
  });

  it.each(MODES)("%s: secret config stays secret in inputs and outputs, and out of stdout, stderr and program logs", (mode: Mode) => {
    const run = runs.get(`${stack}:${mode}`)!;
    for (const plaintext of Object.values(SECRETS)) {
      const inputs = scanSecrets(
        run.resources.map((r) => ({ [urnKey(r.urn)]: r.inputs })),
        plaintext,
      );
      expect(inputs.leaks, plaintext).toEqual([]);
      expect(scanSecrets(run.stackOutputs, plaintext).leaks).toEqual([]);
      expect(run.stdout + run.stderr).not.toContain(plaintext);
      // The SDK's own debug line for each RegisterResource dumps the engine's answer, secret outputs
      // included (docs/synth.md, "The same program through cmd/run"); nothing else may carry a secret.
      const logged = run.logs.filter((l) => l.message.includes(plaintext));
      expect(logged.filter((l) => !(l.severity === "debug" && l.message.startsWith("RegisterResource RPC finished:")))).toEqual([]);
    }
    // Each secret the stack refers to reaches a resource, wrapped.
    const validated = validateStackConfig(rawSections(files.get(stack)!.config));
    if (!validated.ok) throw new Error(validated.errors.join("\n"));
    const used = referencedSecrets(validated.config);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) {
      if (mode === "update") expect(scanSecrets(run.resources.map((r) => r.inputs), SECRETS[name as keyof typeof SECRETS]).wrapped, name).toBeGreaterThan(0);
    }
  });
});

describe("moving staging off its references into prod", () => {
  let emu: RenderEmulator;
  let host: ProviderHost;
  beforeAll(async () => {
    emu = await startEmulator();
    // ProviderHost starts it through the launcher, as the program's own process.
    host = await startRenderHost(emu);
  }, 60_000);
  afterAll(async () => {
    await host?.stop();
    await emu?.stop();
  });

  const byUrn = (run: ProgramRun) => new Map(run.resources.map((r) => [r.urn, r]));
  const withoutProvider = ({ __provider: _p, ...rest }: Record<string, any>) => rest;
  const moveRuns = () => [moveBefore, runs.get("staging:update")!] as const;

  it("both programs run; after the move no StackReference names prod", () => {
    for (const run of moveRuns()) expect(run.code, describeRun(run)).toBe(0);
    const refs = (run: ProgramRun) => run.resources.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => String(r.inputs.name));
    const [before, after] = moveRuns();
    expect(refs(before)).toEqual([OWNER, OWNER]);
    expect(refs(after)).toEqual([]);
  });

  it("every other resource registers with the same inputs: nothing is replaced, only the two reads go away", () => {
    const [old, next] = moveRuns().map(byUrn) as [ReturnType<typeof byUrn>, ReturnType<typeof byUrn>];
    const gone = [...old.keys()].filter((u) => !next.has(u));
    const added = [...next.keys()].filter((u) => !old.has(u));
    expect(gone.map((u) => u.split("::").pop()).sort()).toEqual(["frontend-project", "render-project"]);
    expect(added).toEqual([]);
    const changed = [...next.entries()].filter(([urn, r]) => JSON.stringify(old.get(urn)!.inputs) !== JSON.stringify(r.inputs)).map(([urn]) => urn);
    expect(changed).toEqual([]);
    // The resources that hang off the two projects, by the project id they carry: prod's.
    expect(move.ids.renderProjectId).toMatch(/^prj-/);
    expect(move.ids.frontendProjectId).toMatch(/^prj_/);
    const env = [...next.values()].find((r) => r.type === "pulumi-nodejs:dynamic/render:Environment")!;
    expect(env.inputs.projectId).toBe(move.ids.renderProjectId);
    const vercel = [...next.values()].filter((r) => r.type.startsWith("vercel:"));
    expect(vercel.length).toBeGreaterThan(3);
    for (const r of vercel) expect(r.inputs.projectId, r.urn).toBe(move.ids.frontendProjectId);
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
    const [before, after] = moveRuns();
    expect((await engine.up("environment", "render-environment", real(before))).op).toBe("create");
    engine.steps.length = 0;
    expect((await engine.up("environment", "render-environment", real(after))).op).toBe("same");
    expect((await engine.up("project", "render-project", projectInputs)).op).toBe("same");
    expect(engine.steps.map((s) => s.op)).toEqual(["same", "same"]);
    expect(emu.projects.environments.size).toBe(2);
  });
});

/**
 * launcher.cjs (Pulumi.yaml's nodeargs) defers the SDK modules a program does not use; every run
 * above lists the files its process loaded (test/engine/loaded-modules.cjs).
 */
describe("launcher.cjs: lean SDK start-up, through cmd/run as `pulumi preview` and `pulumi up` start the program", () => {
  const has = (modules: string[] | undefined, file: string) => (modules ?? []).some((m) => m.endsWith(file));
  const HEAVY = [
    "/typescript/lib/typescript.js",
    "/@npmcli/arborist/lib/arborist/index.js",
    "/source-map-support/source-map-support.js",
    "/@opentelemetry/sdk-trace-base/build/src/Tracer.js",
  ];
  const allRuns = () => [...runs.entries(), ["staging before the move", moveBefore] as const];

  it("the prod program loads neither TypeScript, npm's arborist, source-map-support nor the tracing SDK", () => {
    const lean = runs.get("prod:preview")!;
    expect(lean.code, describeRun(lean)).toBe(0);
    expect(lean.modules!.length).toBeGreaterThan(100);
    for (const file of HEAVY) expect(has(lean.modules, file), file).toBe(false);
    // So no resource the program registers needed the closure serializer's parser.
    expect(lean.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).length).toBeGreaterThan(0);
  });

  it("no run of the program loads TypeScript, ts-node, the tracing SDK or the Automation API's process helpers", () => {
    for (const [name, run] of allRuns()) {
      expect(run.modules!.length, name).toBeGreaterThan(100);
      const heavy = run.modules!.filter((m) => [...HEAVY, "/execa/index.js"].some((f) => m.endsWith(f)) || m.includes("/node_modules/ts-node/"));
      expect(heavy, name).toEqual([]);
    }
  });

  it("WEBSTACK_LEAN_SDK=0 loads them as the SDK does; the engine sees the same resources and source positions either way", () => {
    const lean = runs.get("prod:preview")!;
    const full = fullSdk;
    expect(full.code, describeRun(full)).toBe(0);
    for (const file of HEAVY) expect(has(full.modules, file), file).toBe(true);
    const seen = (run: ProgramRun) => run.resources.map(({ sourcePosition: _, ...r }) => r);
    expect(seen(lean)).toEqual(expect.arrayContaining(seen(full)));
    expect(seen(lean)).toHaveLength(seen(full).length);
    // source-map-support never mapped this project's TypeScript: its positions are the same without it.
    const positions = (run: ProgramRun) =>
      run.resources
        .filter((r) => r.sourcePosition?.startsWith(`${ROOT}/`) && !r.sourcePosition.includes("/node_modules/"))
        .map((r) => `${r.urn} ${r.sourcePosition}`)
        .sort();
    expect(positions(lean).length).toBeGreaterThan(10);
    expect(positions(lean)).toEqual(positions(full));
  });
});
