import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { bundleCacheDir, cachedBuild } from "../../bundling/cached-build";
import { testDir } from "../scratch";

function project(): { root: string; cache: string; options: Parameters<typeof cachedBuild>[0] } {
  const root = testDir("cached-build-");
  writeFileSync(join(root, "entry.ts"), 'import { greet } from "./greet";\nexport const hello = greet("world");\n');
  writeFileSync(join(root, "greet.ts"), "export const greet = (who: string): string => `hello ${who}`;\n");
  return {
    root,
    cache: join(root, "cache"),
    options: { entryPoints: [join(root, "entry.ts")], absWorkingDir: root, bundle: true, format: "cjs", platform: "node", logLevel: "silent" },
  };
}

const entries = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".json"));

describe("cachedBuild", () => {
  it("returns exactly what esbuild builds, and records every input with its hash", () => {
    const { cache, options } = project();
    const text = cachedBuild(options, cache);
    expect(text).toBe(buildSync({ ...options, write: false }).outputFiles[0]!.text);
    const [entry] = entries(cache);
    expect(Object.keys(JSON.parse(readFileSync(join(cache, entry!), "utf8")).inputs).sort()).toEqual(["entry.ts", "greet.ts"]);
  });

  it("reuses the stored bundle while its inputs are unchanged, and rebuilds when any one changes", () => {
    const { root, cache, options } = project();
    cachedBuild(options, cache);
    // Mark the stored text: getting the mark back proves the build was skipped.
    const file = join(cache, entries(cache)[0]!);
    const stored = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...stored, text: "from the cache" }));
    expect(cachedBuild(options, cache)).toBe("from the cache");

    // A change in an imported file, not only the entry, invalidates it.
    writeFileSync(join(root, "greet.ts"), "export const greet = (who: string): string => `hi ${who}`;\n");
    const rebuilt = cachedBuild(options, cache);
    expect(rebuilt).toContain("hi ${who}");
    expect(rebuilt).toBe(buildSync({ ...options, write: false }).outputFiles[0]!.text);
    expect(entries(cache)).toHaveLength(1);
  });

  it("keys an stdin entry by its contents and tracks the files it imports", () => {
    const { root, cache } = project();
    const options = (contents: string) => ({
      stdin: { contents, resolveDir: root, sourcefile: "virtual-entry.ts", loader: "ts" as const },
      absWorkingDir: root,
      bundle: true,
      format: "cjs" as const,
      logLevel: "silent" as const,
    });
    const text = cachedBuild(options('import { greet } from "./greet";\nexport const a = greet("a");\n'), cache);
    expect(text).toContain("hello ${who}");
    const stored = JSON.parse(readFileSync(join(cache, entries(cache)[0]!), "utf8"));
    expect(Object.keys(stored.inputs)).toEqual(["greet.ts"]);
    // Served from the cache while greet.ts is unchanged; another stdin is another entry.
    writeFileSync(join(cache, entries(cache)[0]!), JSON.stringify({ ...stored, text: "from the cache" }));
    expect(cachedBuild(options('import { greet } from "./greet";\nexport const a = greet("a");\n'), cache)).toBe("from the cache");
    expect(cachedBuild(options('import { greet } from "./greet";\nexport const b = greet("b");\n'), cache)).toContain('greet("b")');
    expect(entries(cache)).toHaveLength(2);
  });

  it("builds without a cache when there is none or it is unusable", () => {
    const { root, options } = project();
    const expected = buildSync({ ...options, write: false }).outputFiles[0]!.text;
    expect(cachedBuild(options, undefined)).toBe(expected);
    // A file where the cache folder should be: nothing can be stored, the build still succeeds.
    writeFileSync(join(root, "blocked"), "");
    expect(cachedBuild(options, join(root, "blocked", "cache"))).toBe(expected);
  });

  it("lives in the project's node_modules/.cache unless WEBSTACK_TS_CACHE=0", () => {
    const saved = process.env.WEBSTACK_TS_CACHE;
    try {
      delete process.env.WEBSTACK_TS_CACHE;
      expect(bundleCacheDir()).toBe(join(process.cwd(), "node_modules", ".cache", "webstack", "bundles"));
      process.env.WEBSTACK_TS_CACHE = "0";
      expect(bundleCacheDir()).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.WEBSTACK_TS_CACHE;
      else process.env.WEBSTACK_TS_CACHE = saved;
    }
  });
});
