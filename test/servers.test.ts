import { chmodSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { asServerUser, chooseScratch, postgresServerBinDir, reachableBinDir } from "./servers";

const TMPFS = 0x01021994;
const EXT4 = 0xef53;
const GiB = 1024 ** 3;

describe("where test servers keep their data", () => {
  const dir = mkdtempSync(join(tmpdir(), "scratch-"));
  const fallback = "/fallback";
  const statfs = (type: number, free: number) => () => ({ type, bavail: free / 4096, bsize: 4096 });

  it("takes a tmpfs with room", () => {
    expect(chooseScratch(dir, fallback, statfs(TMPFS, 8 * GiB))).toBe(dir);
  });

  it("passes over Docker's 64 MB /dev/shm, a disk, and a folder that is not there", () => {
    expect(chooseScratch(dir, fallback, statfs(TMPFS, 64 * 1024 ** 2))).toBe(fallback);
    expect(chooseScratch(dir, fallback, statfs(EXT4, 100 * GiB))).toBe(fallback);
    expect(chooseScratch(join(dir, "missing"), fallback)).toBe(fallback);
  });
});

describe("server binaries the postgres user can reach", () => {
  // As root the servers run as the postgres user; a checkout inside a private folder (mktemp -d
  // makes 0700 ones) hides npm's PostgreSQL build from that user.
  it.runIf(process.getuid?.() === 0)("copies a build in a private folder to where the postgres user can run it", () => {
    const hidden = mkdtempSync(join(tmpdir(), "private-"));
    chmodSync(hidden, 0o700);
    const native = dirname(postgresServerBinDir(16));
    symlinkSync(native, join(hidden, "native"));
    const bin = reachableBinDir(join(hidden, "native", "bin"));
    expect(bin.startsWith(hidden)).toBe(false);
    expect(asServerUser(join(bin, "initdb"), ["--version"])).toMatch(/\(PostgreSQL\) 16\./);
    // The same copy for the rest of the run.
    expect(reachableBinDir(join(hidden, "native", "bin"))).toBe(bin);
  });
});
