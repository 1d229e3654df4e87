import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chooseScratch } from "./servers";

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
