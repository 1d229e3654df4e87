/**
 * What the tests that start a real server share (PostgreSQL, Redis): Debian's binaries, a free
 * loopback port, running as the server's own user when the suite runs as root, and passwords
 * built to break URL handling. Missing binaries fail the suite, never skip it.
 */
import { execFileSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/** Every character with a meaning in a URL, a space among them. */
export const URL_RESERVED = ":/?#[]@!$&'()*+,;=% ";

/** The newest Debian PostgreSQL build of a binary (/usr/lib/postgresql/<v>/bin), else PATH's. */
export function postgresBin(name: string): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", name))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions[0]) return join(root, versions[0], "bin", name);
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(
      `PostgreSQL binary '${name}' not found (looked in ${root}/*/bin and PATH). ` +
        "These tests start a throwaway server: .ci/run must install postgresql (apt-get install -y postgresql).",
    );
  }
}

/** initdb and postgres refuse to run as root; run them as the postgres user then. */
export function asServerUser(bin: string, args: string[]): string {
  const [cmd, argv] = process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  return execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A generated password holding every one of `special` among random letters and digits, shuffled. */
export function hostilePassword(special: string = URL_RESERVED): string {
  const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const chars = [...special, ...Array.from({ length: 24 }, () => alnum[randomInt(alnum.length)]!)];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join("");
}
