import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runProgram, type ProgramRun } from "./engine/program-host";
import { testDir } from "./scratch";

const ROOT = resolve(__dirname, "..");

/** A throwaway project that runs main.ts through a copy of launcher.cjs, with its own cache. */
function project() {
  const dir = testDir("launcher-");
  copyFileSync(join(ROOT, "launcher.cjs"), join(dir, "launcher.cjs"));
  // esbuild resolves from the copy's node_modules (links to this project's), the cache lands in the copy.
  mkdirSync(join(dir, "node_modules"));
  for (const pkg of ["esbuild", "@esbuild"]) symlinkSync(join(ROOT, "node_modules", pkg), join(dir, "node_modules", pkg), "dir");
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

  it("shares entries with a copy of the project in another folder; with source maps on, each file's map names its own path", () => {
    const { dir, cache, run } = project();
    run();
    const copy = testDir("launcher-copy-");
    for (const f of ["greet.ts", "main.ts"]) copyFileSync(join(dir, f), join(copy, f));
    const runCopy = (env: NodeJS.ProcessEnv = {}) =>
      execFileSync(process.execPath, ["--require", join(dir, "launcher.cjs"), "main.ts"], { cwd: copy, encoding: "utf8", env: { PATH: process.env.PATH, ...env } }).trim();
    const greet = readdirSync(cache).find((f) => readFileSync(join(cache, f), "utf8").includes("hello ${who}"))!;
    writeFileSync(join(cache, greet), readFileSync(join(cache, greet), "utf8").replace("hello ${who}", "cached ${who}"));
    expect(runCopy()).toBe("cached world 1");
    expect(readdirSync(cache).filter((f) => f.endsWith(".js"))).toHaveLength(2);
    const where = 'interface A {\n  x: number;\n}\nexport type B = A;\nconsole.log(new Error().stack!.split("\\n")[1]);\n';
    writeFileSync(join(dir, "main.ts"), where);
    writeFileSync(join(copy, "main.ts"), where);
    expect(run({ NODE_OPTIONS: "--enable-source-maps" })).toContain(`${join(dir, "main.ts")}:5:`);
    expect(runCopy({ NODE_OPTIONS: "--enable-source-maps" })).toContain(`${join(copy, "main.ts")}:5:`);
  });

  it("warm() fills the cache ahead of the processes that will load the files (the test suite's global setup)", () => {
    const { dir, cache, run } = project();
    // A file gone since it was listed is left to whoever loads it.
    const files = ["greet.ts", "gone.ts", "main.ts"].map((f) => join(dir, f));
    const warm = (env: NodeJS.ProcessEnv = {}) =>
      execFileSync(process.execPath, ["-e", 'require("./launcher.cjs").warm(JSON.parse(process.argv[1]))', JSON.stringify(files)], { cwd: dir, env: { PATH: process.env.PATH, ...env } });
    warm({ WEBSTACK_TS_CACHE: "0" });
    expect(existsSync(cache)).toBe(false);
    warm();
    expect(readdirSync(cache).filter((f) => f.endsWith(".js"))).toHaveLength(2);
    // The run reads what warm() wrote: a mark in greet.ts's entry shows up in the output.
    const greet = readdirSync(cache).find((f) => readFileSync(join(cache, f), "utf8").includes("hello ${who}"))!;
    writeFileSync(join(cache, greet), readFileSync(join(cache, greet), "utf8").replace("hello ${who}", "warmed ${who}"));
    expect(run()).toBe("warmed world 1");
    expect(readdirSync(cache).filter((f) => f.endsWith(".js"))).toHaveLength(2);
  });

  it("keeps Node's source-map handling off unless asked for", () => {
    const { dir, run } = project();
    // In the transpiled code the call is on another line (types gone, CommonJS preamble added).
    writeFileSync(join(dir, "main.ts"), 'interface A {\n  x: number;\n}\nexport type B = A;\nconsole.log(new Error().stack!.split("\\n")[1]);\n');
    const plain = run();
    expect(plain).toMatch(/main\.ts:\d+:\d+/);
    expect(plain).not.toMatch(/main\.ts:5:/);
    expect(run({ NODE_OPTIONS: "--enable-source-maps" })).toMatch(/main\.ts:5:\d+/);
  });
});

/**
 * A throwaway project next to this one's node_modules. main.ts throws; on the stack named
 * "serialize" it first serializes a function and computes code paths, as a program with a
 * closure-serialized resource would, and reaches for the Automation API.
 */
function fixtureProject(): string {
  const dir = testDir("cmdrun-fixture-");
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
      '    const before = { typescript: loaded("typescript/lib/typescript.js"), arborist: loaded("arborist/lib/arborist/index.js"), execa: loaded("execa/index.js") };',
      "    const factor = 6;",
      "    const fn = await pulumi.runtime.serializeFunction((x: number) => x * factor);",
      "    const codePaths = [...(await pulumi.runtime.computeCodePaths()).keys()];",
      "    pulumi.log.info(JSON.stringify({ before, text: fn.text, codePaths, automation: typeof pulumi.automation.LocalWorkspace.create }));",
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

/**
 * Through cmd/run as `pulumi preview` starts a program. The prod program's lean start-up (what it
 * loads, and the same resources with WEBSTACK_LEAN_SDK=0) is tested on the runs of
 * test/engine/program-host.test.ts; this fixture shows the deferred modules still load when used.
 */
describe("launcher.cjs: lean SDK start-up, through cmd/run as `pulumi preview` starts the program", () => {
  let serialize: ProgramRun;
  let sourceMaps: ProgramRun;

  beforeAll(async () => {
    const fixture = fixtureProject();
    const fixtureRun = (stack: string, env: Record<string, string> = {}) =>
      runProgram({ file: { project: "fixture", stack, config: {}, secretKeys: [] }, dryRun: true, root: fixture, env });
    // Two at a time (2 cores). Under cmd/run with --enable-source-maps, computeCodePaths ran for
    // over a minute here, so the source-map run only throws.
    [serialize, sourceMaps] = await Promise.all([fixtureRun("serialize"), fixtureRun("throw", { NODE_OPTIONS: "--enable-source-maps" })]);
  }, 120_000);

  it("a program that does serialize a function still can: the deferred modules load on first use", () => {
    const info = serialize.logs.find((l) => l.severity === "info");
    expect(info, describeRun(serialize)).toBeDefined();
    const reported = JSON.parse(info!.message) as { before: Record<string, boolean>; text: string; codePaths: string[]; automation: string };
    expect(reported.before).toEqual({ typescript: false, arborist: false, execa: false });
    expect(reported.automation).toBe("function");
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
