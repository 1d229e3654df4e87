/**
 * Temporary folders for tests. All of one test process's live in one folder, and the next process
 * to ask removes those of processes that have ended: tests need not clean up after themselves, and
 * a run leaves nothing behind for long (before, about 60 folders a run stayed in the temp folder).
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PREFIX = "webstack-test-";
let mine: string | undefined;

/** A new empty folder named `<prefix>XXXXXX`, inside this process's. */
export function testDir(prefix: string): string {
  if (!mine) {
    removeEnded(tmpdir());
    mine = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  }
  return mkdtempSync(join(mine, prefix));
}

/**
 * Removes the folders in `parent` named `<prefix><pid>-…` whose process is no longer running
 * (`current` is kept whatever it is).
 */
export function removeEnded(parent: string, prefixes: string[] = [PREFIX], current = process.pid): void {
  for (const name of readdirSync(parent)) {
    const prefix = prefixes.find((p) => name.startsWith(p));
    if (!prefix) continue;
    const pid = Number(name.slice(prefix.length).split("-")[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === current || isRunning(pid)) continue;
    try {
      rmSync(join(parent, name), { recursive: true, force: true });
    } catch {
      // Best effort: another user's, or being removed by another run.
    }
  }
}

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
