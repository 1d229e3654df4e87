import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

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
