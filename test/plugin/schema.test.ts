import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import ts from "typescript";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { SECRET } from "../../synth/manifest";
import { one, settle, synthComponent } from "../harness";

// The multi-language schema, generated offline as `pulumi package add plugin/` would (the same
// analyzer over the same TypeScript sources), without starting the provider's server: the host
// entry plugin/index.ts is never imported here.

const ROOT = join(__dirname, "..", "..");
const PLUGIN = join(ROOT, "plugin");
const readJson = (p: string) => JSON.parse(readFileSync(p, "utf8"));

interface Property {
  description?: string;
  type?: string;
  $ref?: string;
}
interface Resource {
  isComponent?: boolean;
  description?: string;
  inputProperties: Record<string, Property>;
  requiredInputs?: string[];
  properties: Record<string, Property>;
}
interface Schema {
  name: string;
  version: string;
  resources: Record<string, Resource>;
  types: Record<string, { type: string; properties?: Record<string, Property>; enum?: { value: string }[] }>;
}

/** Members of `interface <name>` in the components' sources, with their JSDoc text, read independently of the analyzer. */
function argsInterface(name: string): { field: string; optional: boolean; doc: string | undefined }[] {
  for (const file of ["web-service", "frontend-site", "netlify-site", "database", "shared-database", "cron-trigger", "env-var-set", "cache", "storage"]) {
    const path = join(ROOT, "components", `${file}.ts`);
    const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, true);
    const found = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
    if (!found) continue;
    return found.members.filter(ts.isPropertySignature).map((m) => {
      const docs = ts.getJSDocCommentsAndTags(m).filter(ts.isJSDoc);
      const doc = docs.map((d) => ts.getTextOfJSDocComment(d.comment) ?? "").join("\n");
      return { field: (m.name as ts.Identifier).text, optional: m.questionToken !== undefined, doc: doc || undefined };
    });
  }
  throw new Error(`interface ${name} not found in components/`);
}

let schema: Schema;
let publicComponents: string[];
let provider: ComponentProvider;

beforeAll(async () => {
  const { components } = await import("../../plugin/components.js");
  provider = new ComponentProvider({ components, name: "webstack", dirname: PLUGIN });
  schema = JSON.parse(await provider.getSchema()) as Schema;
  publicComponents = getPulumiComponents(await import("../../components/index.js")).map((c) => c.name);
}, 60_000);

describe("plugin/ (component provider for Python, Go, .NET and YAML)", () => {
  it("is a nodejs plugin named webstack, at the package's version, whose main the analyzer maps to index.ts", () => {
    expect(parse(readFileSync(join(PLUGIN, "PulumiPlugin.yaml"), "utf8"))).toMatchObject({ runtime: "nodejs" });
    const plugin = readJson(join(PLUGIN, "package.json"));
    const root = readJson(join(ROOT, "package.json"));
    expect(plugin.name).toBe("webstack");
    expect(plugin.version).toBe(root.version);
    expect(plugin.main).toBe("index.js");
    expect(readFileSync(join(PLUGIN, "index.ts"), "utf8")).toContain('componentProviderHost({ components, name: "webstack"');
    expect(schema.name).toBe("webstack");
    expect(schema.version).toBe(root.version);
  });

  it("hosts every component the package exports, as webstack:index:<ClassName>", () => {
    expect(publicComponents.sort()).toEqual(["Cache", "CronTrigger", "Database", "EnvVarSet", "FrontendSite", "NetlifyFrontend", "SharedDatabase", "Storage", "WebService"]);
    expect(Object.keys(schema.resources).sort()).toEqual(publicComponents.map((c) => `webstack:index:${c}`));
    for (const [token, resource] of Object.entries(schema.resources)) {
      expect(resource.isComponent, token).toBe(true);
      expect(resource.description, token).toBeTruthy();
    }
  });

  it.each(["WebService", "FrontendSite", "NetlifyFrontend", "Database", "SharedDatabase", "CronTrigger", "EnvVarSet", "Cache", "Storage"])(
    "%s: every Args field is an input with its description, and the required ones are required",
    (component) => {
      const resource = schema.resources[`webstack:index:${component}`]!;
      const fields = argsInterface(`${component}Args`);
      expect(fields.length).toBeGreaterThan(0);
      expect(Object.keys(resource.inputProperties).sort()).toEqual(fields.map((f) => f.field).sort());
      for (const f of fields) {
        expect(f.doc, `${component}Args.${f.field} has no JSDoc`).toBeTruthy();
        expect(resource.inputProperties[f.field]!.description, `${component}Args.${f.field}`).toBe(f.doc);
      }
      expect((resource.requiredInputs ?? []).sort()).toEqual(fields.filter((f) => !f.optional).map((f) => f.field).sort());
      for (const [name, output] of Object.entries(resource.properties)) expect(output.description, `${component}.${name}`).toBeTruthy();
    },
  );

  it("describes every field of the object types the Args use, and keeps enums as enums", () => {
    for (const [token, type] of Object.entries(schema.types)) {
      for (const [field, p] of Object.entries(type.properties ?? {})) expect(p.description, `${token}.${field}`).toBeTruthy();
    }
    const values = (t: string) => schema.types[`webstack:index:${t}`]?.enum?.map((e) => e.value);
    expect(values("SslMode")).toEqual(["require", "verify-ca", "verify-full", "disable"]);
    expect(values("JobMethod")).toEqual(["GET", "POST", "PUT", "PATCH", "DELETE"]);
    expect(values("VercelTarget")).toEqual(["production", "preview", "development"]);
    expect(values("Consumer")).toEqual(["backend", "frontend", "worker"]);
    expect(values("CacheConnection")).toEqual(["internal", "external"]);
    expect(values("R2Jurisdiction")).toEqual(["default", "eu", "fedramp"]);
  });

  it("keeps secret-carrying inputs as Inputs (not plain), so secrets from other languages stay secret", () => {
    const input = (component: string, field: string) => schema.resources[`webstack:index:${component}`]!.inputProperties[field] as Property & { plain?: boolean };
    expect(input("CronTrigger", "secret").plain).toBeUndefined();
    expect(input("WebService", "envVars").plain).toBeUndefined();
    const admin = schema.types["webstack:index:AdminConnectionArgs"]!.properties!.password as Property & { plain?: boolean };
    expect(admin.type).toBe("string");
    expect(admin.plain).toBeUndefined();
  });

  it("constructs a component from the inputs another language sends, and returns its outputs", async () => {
    let constructed: ReturnType<ComponentProvider["construct"]> | undefined;
    const manifest = await synthComponent(() => {
      constructed = provider.construct(
        "nightly",
        "webstack:index:CronTrigger",
        {
          accountId: "acct-123",
          scriptName: "reports-cron",
          targetUrl: "https://api.example.com",
          jobs: [{ name: "nightly-report", schedule: "0 3 * * *", path: "/internal/reports/nightly", method: "PUT" }],
          secret: pulumi.secret("from-python"),
        },
        {},
      );
    });
    const { state } = await constructed!;
    expect(one(manifest, "webstack:index:CronTrigger").inputs).toMatchObject({ targetUrl: "https://api.example.com" });
    expect(one(manifest, "cloudflare:index/workersScript:WorkersScript").inputs.bindings).toBe(SECRET);
    expect(Object.keys(state).sort()).toEqual(["jobNames", "schedules", "scriptName", "secret"]);
    expect(await settle(state.secret as pulumi.Output<string>)).toEqual({ value: "from-python", secret: true });
    expect((await settle(state.schedules as pulumi.Output<string[]>)).value).toEqual(["0 3 * * *"]);
    await expect(provider.construct("x", "webstack:cron:CronTrigger", {}, {})).rejects.toThrow(/expected 'index'/);
  });
});
