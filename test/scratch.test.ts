import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { removeEnded, testDir } from "./scratch";

describe("test folders", () => {
  it("removes the folders of test processes that have ended, and keeps running ones' and others'", () => {
    const parent = mkdtempSync(join(tmpdir(), "scratch-parent-"));
    const ended = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    const gone = join(parent, `webstack-test-${ended}-abc`);
    const running = join(parent, `webstack-test-${process.ppid}-abc`);
    const other = join(parent, "webstack-consumer-abc");
    for (const d of [gone, running, other]) mkdirSync(d);
    removeEnded(parent);
    expect([existsSync(gone), existsSync(running), existsSync(other)]).toEqual([false, true, true]);
  });

  it("puts every folder of a process in its own", () => {
    const a = testDir("a-");
    const b = testDir("b-");
    expect(dirname(a)).toBe(dirname(b));
    expect(dirname(a)).toMatch(new RegExp(`webstack-test-${process.pid}-`));
  });
});
