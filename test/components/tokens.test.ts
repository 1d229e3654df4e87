import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// Type tokens are part of every stack's state: a changed token makes Pulumi replace the component
// and everything under it. They are webstack:index:<ClassName> (what the multi-language host
// looks classes up by), and a rename must keep the old token reachable through `aliases`
// (README, "Use the components in your own stack").

const DIR = join(__dirname, "..", "..", "components");

/** Every ComponentResource subclass in components/, with the token its constructor passes to super(). */
function declaredTokens(): Record<string, string> {
  const tokens: Record<string, string> = {};
  for (const file of readdirSync(DIR).filter((f) => f.endsWith(".ts"))) {
    const source = readFileSync(join(DIR, file), "utf8");
    for (const m of source.matchAll(/export class (\w+) extends pulumi\.ComponentResource\b[\s\S]*?super\(\s*"([^"]+)"/g)) {
      tokens[m[1]!] = m[2]!;
    }
  }
  return tokens;
}

describe("component type tokens", () => {
  it("are exactly these, each webstack:index:<ClassName>", () => {
    expect(declaredTokens()).toEqual({
      Cache: "webstack:index:Cache",
      CronTrigger: "webstack:index:CronTrigger",
      Database: "webstack:index:Database",
      EnvVarSet: "webstack:index:EnvVarSet",
      FrontendSite: "webstack:index:FrontendSite",
      NetlifyFrontend: "webstack:index:NetlifyFrontend",
      SharedDatabase: "webstack:index:SharedDatabase",
      Storage: "webstack:index:Storage",
      WebService: "webstack:index:WebService",
    });
  });

  it("belong to classes the public entry exports under the same name", async () => {
    const entry = (await import("../../components/index.js")) as Record<string, unknown>;
    for (const [className, token] of Object.entries(declaredTokens())) {
      const cls = entry[className] as { name?: string } | undefined;
      expect(cls?.name, `${className} is not exported from components/index.ts`).toBe(className);
      expect(token.split(":")[2]).toBe(cls?.name);
    }
  });
});
