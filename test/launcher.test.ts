import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { prepareStack } from "../synth/prepare";
import { readStackFile } from "../synth/stack-file";
import { runProgram, type ProgramRun } from "./engine/program-host";

const ROOT = resolve(__dirname, "..");

/** A throwaway project that runs main.ts through a copy of launcher.cjs, with its own cache. */
function project() {
  const dir = mkdtempSync(join(tmpdir(), "launcher-"));
  cpSync(join(ROOT, "launcher.cjs"), join(dir, "launcher.cjs"));
  // esbuild resolves from the copy's node_modules, the cache lands in the copy.
  for (const pkg of ["esbuild", "@esbuild"]) cpSync(join(ROOT, "node_modules", pkg), join(dir, "node_modules", pkg), { recursive: true, dereference: true });
  writeFileSync(join(dir, "greet.ts"), "export const greet = (who: string): string => `hello ${who}`;\n");
  writeFileSync(join(dir, "main.ts"), 'import { greet } from "./greet";\nconst n: number = 1;\nconsole.log(greet("world"), n);\n');
  const cache = join(dir, "node_modules", ".cache", "webstack", "ts");
  const run = (env: NodeJS.ProcessEnv = {}) =>
    execFileSync(process.execPath, ["--require", "./launcher.cjs", "main.ts"], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH, ...env } }).trim();
  return { dir, cache, run };
}

describe("launcher.cjs", () => {
  it("runs TypeScript without a build step and caches one transpiled file per source", () => {
    const { cache, run } = project();
    expect(run()).toBe("hello world 1");
    expect(readdirSync(cache).filter((f) => f.endsWith(".js"))).toHaveLength(2);
    expect(readdirSync(cache).some((f) => f.endsWith(".tmp"))).toBe(false);
  });

  it("reuses a cached file while its source is unchanged and transpiles a changed one again", () => {
    const { dir, cache, run } = project();
    run();
    // Mark greet.ts's cached output: seeing the mark proves the cache was read instead of esbuild.
    const greet = readdirSync(cache).find((f) => readFileSync(join(cache, f), "utf8").includes("hello ${who}"))!;
    writeFileSync(join(cache, greet), readFileSync(join(cache, greet), "utf8").replace("hello ${who}", "cached ${who}"));
    expect(run()).toBe("cached world 1");
    // Off by request: the source is transpiled fresh.
    expect(run({ WEBSTACK_TS_CACHE: "0" })).toBe("hello world 1");
    writeFileSync(join(dir, "greet.ts"), "export const greet = (who: string): string => `hi ${who}`;\n");
    expect(run()).toBe("hi world 1");
  });

  it("keeps Node's source-map handling off unless asked for", () => {
    const { dir, run } = project();
    // In the transpiled code the call is on another line (types gone, CommonJS preamble added).
    writeFileSync(join(dir, "main.ts"), 'interface A {\n  x: number;\n}\nexport type B = A;\nconsole.log(new Error().stack!.split("\\n")[1]);\n');
    expect(run()).toMatch(/main\.ts:\d+:\d+/);
    expect(run()).not.toMatch(/main\.ts:5:/);
    expect(run({ NODE_OPTIONS: "--enable-source-maps" })).toMatch(/main\.ts:5:\d+/);
  });
});

/**
 * A throwaway project next to this one's node_modules. main.ts throws; on the stack named
 * "serialize" it first serializes a function and computes code paths, as a program with a
 * closure-serialized resource would.
 */
function fixtureProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "cmdrun-fixture-"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  copyFileSync(join(ROOT, "launcher.cjs"), join(dir, "launcher.cjs"));
  const project = readFileSync(join(ROOT, "Pulumi.yaml"), "utf8").replace(/^name: .*$/m, "name: fixture").replace(/^config:[\s\S]*$/m, "");
  writeFileSync(join(dir, "Pulumi.yaml"), project.replace(/^main: .*$/m, "main: main.ts"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "fixture", private: true, dependencies: { yaml: "*" } }));
  writeFileSync(
    join(dir, "main.ts"),
    [
      'import * as pulumi from "@pulumi/pulumi";',
      "",
      "const loaded = (file: string): boolean => Object.keys(require.cache).some((f) => f.endsWith(file));",
      "",
      "interface Shape {",
      "  size: number;",
      "}",
      "",
      "function explode(shape: Shape): never {",
      "  throw new Error(`fixture failure ${shape.size}`);", // line 10
      "}",
      "",
      "export = (async () => {",
      '  if (pulumi.getStack() === "serialize") {',
      '    const before = { typescript: loaded("typescript/lib/typescript.js"), arborist: loaded("arborist/lib/arborist/index.js") };',
      "    const factor = 6;",
      "    const fn = await pulumi.runtime.serializeFunction((x: number) => x * factor);",
      "    const codePaths = [...(await pulumi.runtime.computeCodePaths()).keys()];",
      "    pulumi.log.info(JSON.stringify({ before, text: fn.text, codePaths }));",
      "  }",
      "  explode({ size: 1 });", // line 21
      "})();",
      "",
    ].join("\n"),
  );
  return dir;
}

const ansi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");
const errors = (run: ProgramRun) => run.logs.filter((l) => l.severity === "error").map((l) => ansi(l.message));
const describeRun = (run: ProgramRun) => `exit ${run.code}\nstderr: ${run.stderr}\nerrors: ${errors(run).join("\n")}`;

describe("launcher.cjs: lean SDK start-up, through cmd/run as `pulumi preview` starts the program", () => {
  let lean: { run: ProgramRun; modules: string[] };
  let full: { run: ProgramRun; modules: string[] };
  let serialize: ProgramRun;
  let sourceMaps: ProgramRun;

  beforeAll(async () => {
    const prepared = prepareStack(readStackFile(ROOT, "prod"));
    if (!prepared.ok) throw new Error(prepared.errors.join("\n"));
    const probeDir = mkdtempSync(join(tmpdir(), "cmdrun-probe-"));
    // test/engine/loaded-modules.cjs, required ahead of the launcher, lists what Node loaded.
    const probed = async (name: string, env: Record<string, string>) => {
      const out = join(probeDir, `${name}.json`);
      const run = await runProgram({
        file: prepared.stackFile,
        dryRun: true,
        nodeOptions: ["--require", join(ROOT, "test", "engine", "loaded-modules.cjs")],
        env: { ...env, WEBSTACK_PROBE_OUT: out },
      });
      return { run, modules: JSON.parse(readFileSync(out, "utf8")) as string[] };
    };
    const fixture = fixtureProject();
    const fixtureRun = (stack: string, env: Record<string, string> = {}) =>
      runProgram({ file: { project: "fixture", stack, config: {}, secretKeys: [] }, dryRun: true, root: fixture, env });
    // Two at a time (2 cores). Under cmd/run with --enable-source-maps, computeCodePaths ran for
    // over a minute here, so the source-map run only throws.
    [lean, full] = await Promise.all([probed("lean", {}), probed("full", { WEBSTACK_LEAN_SDK: "0" })]);
    [serialize, sourceMaps] = await Promise.all([fixtureRun("serialize"), fixtureRun("throw", { NODE_OPTIONS: "--enable-source-maps" })]);
  }, 120_000);

  const has = (modules: string[], file: string) => modules.some((m) => m.endsWith(file));

  it("the prod program loads neither TypeScript, npm's arborist, source-map-support nor the tracing SDK", () => {
    expect(lean.run.code, describeRun(lean.run)).toBe(0);
    expect(has(lean.modules, "/typescript/lib/typescript.js")).toBe(false);
    expect(has(lean.modules, "/@npmcli/arborist/lib/arborist/index.js")).toBe(false);
    expect(has(lean.modules, "/source-map-support/source-map-support.js")).toBe(false);
    expect(has(lean.modules, "/@opentelemetry/sdk-trace-base/build/src/Tracer.js")).toBe(false);
    // So no resource the program registers needed the closure serializer's parser.
    expect(lean.run.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).length).toBeGreaterThan(0);
  });

  it("WEBSTACK_LEAN_SDK=0 loads them as the SDK does; the engine sees the same resources and source positions either way", () => {
    expect(full.run.code, describeRun(full.run)).toBe(0);
    expect(has(full.modules, "/typescript/lib/typescript.js")).toBe(true);
    expect(has(full.modules, "/@npmcli/arborist/lib/arborist/index.js")).toBe(true);
    expect(has(full.modules, "/source-map-support/source-map-support.js")).toBe(true);
    expect(has(full.modules, "/@opentelemetry/sdk-trace-base/build/src/Tracer.js")).toBe(true);
    const seen = (run: ProgramRun) => run.resources.map(({ sourcePosition: _, ...r }) => r);
    expect(seen(lean.run)).toEqual(expect.arrayContaining(seen(full.run)));
    expect(seen(lean.run)).toHaveLength(seen(full.run).length);
    // source-map-support never mapped this project's TypeScript: its positions are the same without it.
    const positions = (run: ProgramRun) =>
      run.resources
        .filter((r) => r.sourcePosition?.startsWith(`${ROOT}/`) && !r.sourcePosition.includes("/node_modules/"))
        .map((r) => `${r.urn} ${r.sourcePosition}`)
        .sort();
    expect(positions(lean.run).length).toBeGreaterThan(10);
    expect(positions(lean.run)).toEqual(positions(full.run));
  });

  it("a program that does serialize a function still can: the deferred modules load on first use", () => {
    const info = serialize.logs.find((l) => l.severity === "info");
    expect(info, describeRun(serialize)).toBeDefined();
    const reported = JSON.parse(info!.message) as { before: Record<string, boolean>; text: string; codePaths: string[] };
    expect(reported.before).toEqual({ typescript: false, arborist: false });
    expect(reported.text).toContain("x * factor");
    expect(reported.text).toContain("factor: 6");
    expect(reported.codePaths).toEqual(["node_modules/yaml"]);
  });

  it("an error's stack names the TypeScript file and function; with --enable-source-maps, the TypeScript line", () => {
    for (const run of [serialize, sourceMaps]) {
      expect(run.code, describeRun(run)).toBe(32);
      expect(errors(run)).toHaveLength(1);
    }
    const [plain] = errors(serialize);
    expect(plain).toContain("Error: fixture failure 1");
    expect(plain).toMatch(/at explode \(.*\/main\.ts:\d+:\d+\)/);
    const [mapped] = errors(sourceMaps);
    expect(mapped).toMatch(/at explode \(.*\/main\.ts:10:9\)/);
    expect(mapped).toMatch(/main\.ts:21:3\)/);
  });
});
