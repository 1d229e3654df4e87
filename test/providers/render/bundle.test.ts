/**
 * What the Render resources put in `__provider`, and so into state: one self-contained, deterministic
 * bundle per provider, the same from any checkout, with nothing of the machine or its secrets in it.
 * The bundles run in the real provider host in host-lifecycle.test.ts and host-faults.test.ts.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { providerSource } from "../../../providers/render/provider-source";

const run = promisify(execFile);
const ROOT = resolve(__dirname, "../../..");
const KINDS = ["service", "customDomain", "postgres", "project", "environment", "keyValue"] as const;
const KEY_IN_PROGRAM_ENV = "rnd_mustNotBeSerialized42";

function copyOfProject(): string {
  const copy = mkdtempSync(join(tmpdir(), "webstack-copy-"));
  for (const dir of ["providers", "bundling"]) cpSync(join(ROOT, dir), join(copy, dir), { recursive: true });
  cpSync(join(ROOT, "test", "providers", "render", "serialize-provider.ts"), join(copy, "test", "providers", "render", "serialize-provider.ts"));
  cpSync(join(ROOT, "launcher.cjs"), join(copy, "launcher.cjs"));
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
  return copy;
}

/** The bundle as a fresh process started like the Pulumi program makes it, with a key in its environment. */
async function bundleIn(cwd: string, kind: string): Promise<string> {
  const env = { ...process.env, RENDER_API_KEY: KEY_IN_PROGRAM_ENV, RENDER_API_URL: "https://example.invalid/v1", WEBSTACK_TS_CACHE: "0" };
  return (await run(process.execPath, ["--require", "./launcher.cjs", "test/providers/render/serialize-provider.ts", kind], { cwd, env })).stdout;
}

describe("the Render provider bundles", () => {
  it("are self-contained, hold no key, URL or path of the machine, and are the same bytes from another checkout", async () => {
    for (const kind of KINDS) {
      const text = providerSource(kind);
      expect(text, kind).not.toMatch(/\brequire\(|sourceMappingURL|__vite_ssr/);
      expect(text, kind).not.toContain(ROOT);
      expect(text, kind).toContain("handler");
    }
    const [here, there] = await Promise.all([bundleIn(ROOT, "service"), bundleIn(copyOfProject(), "service")]);
    expect(here).toBe(providerSource("service"));
    expect(there).toBe(here);
    // The environment is read when a call is made, in the provider host, never captured at program time.
    expect(here).not.toContain(KEY_IN_PROGRAM_ENV);
    expect(here).not.toContain("example.invalid");
  });
});
