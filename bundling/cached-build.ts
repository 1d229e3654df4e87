import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { type BuildOptions, buildSync, version } from "esbuild";

/** Where bundles are kept between runs: the project's node_modules/.cache (Pulumi runs programs from the project folder). */
export function bundleCacheDir(): string | undefined {
  return process.env.WEBSTACK_TS_CACHE === "0" ? undefined : join(process.cwd(), "node_modules", ".cache", "webstack", "bundles");
}

interface Entry {
  /** Every file esbuild read, relative to absWorkingDir, with the sha256 of its content. */
  inputs: Record<string, string>;
  text: string;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

function fresh(entry: Entry, cwd: string): boolean {
  try {
    return Object.entries(entry.inputs).every(([file, hash]) => sha256(readFileSync(join(cwd, file))) === hash);
  } catch {
    return false;
  }
}

/**
 * One esbuild bundle as text, reused from disk while every file it was built from is unchanged.
 * A bundle costs 20–50 ms a run (esbuild's service start); checking its inputs costs about 1 ms.
 * The result is byte-identical to a fresh build: the cache only skips work.
 */
export function cachedBuild(options: BuildOptions & { absWorkingDir: string }, dir = bundleCacheDir()): string {
  const build = (): { text: string; inputs: string[] } => {
    const result = buildSync({ ...options, write: false, metafile: true });
    if (result.outputFiles.length !== 1) throw new Error(`expected one bundle, got ${result.outputFiles.length}`);
    // stdin is not a file (its contents are part of the key); everything else esbuild read is.
    const stdin = options.stdin && relative(options.absWorkingDir, resolve(options.stdin.resolveDir ?? options.absWorkingDir, options.stdin.sourcefile ?? "<stdin>"));
    return { text: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs).filter((f) => f !== stdin && f !== "<stdin>") };
  };
  if (!dir) return build().text;
  const file = join(dir, `${sha256(`${version}\0${JSON.stringify(options)}`)}.json`);
  try {
    const entry = JSON.parse(readFileSync(file, "utf8")) as Entry;
    if (fresh(entry, options.absWorkingDir)) return entry.text;
  } catch {
    // No entry yet, or an unreadable one: build.
  }
  const { text, inputs } = build();
  try {
    const entry: Entry = { inputs: Object.fromEntries(inputs.map((f) => [f, sha256(readFileSync(join(options.absWorkingDir, f)))])), text };
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(entry));
    renameSync(tmp, file);
  } catch {
    // A read-only project still runs, just without the cache.
  }
  return text;
}
