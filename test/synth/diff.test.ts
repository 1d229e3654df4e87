import { describe, expect, it } from "vitest";
import { diffManifests, formatDiffMarkdown, hasChanges } from "../../synth/diff";
import type { Manifest, ManifestResource } from "../../synth/manifest";
import { rawSections } from "../../config/raw";
import { validateStackConfig } from "../../config/validate";
import { costSection } from "../../cost/section";
import { readStackFile } from "../../synth/stack-file";
import { ROOT } from "../harness";

const readConfig = (stack: string): any => {
  const r = validateStackConfig(rawSections(readStackFile(ROOT, stack).config), stack);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
};

const STACK = "urn:pulumi:dev::webstack::pulumi:pulumi:Stack::webstack-dev";
const urn = (type: string, name: string, parentType = "") =>
  `urn:pulumi:dev::webstack::${parentType ? `${parentType}$` : ""}${type}::${name}`;

function res(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<ManifestResource> = {}): ManifestResource {
  return {
    urn: urn(type, name, extra.parent && extra.parent !== STACK ? "webstack:index:WebService" : ""),
    type,
    name,
    parent: STACK,
    custom: true,
    protect: false,
    retainOnDelete: false,
    dependsOn: [],
    inputs,
    ...extra,
  };
}

const stackRes = res("pulumi:pulumi:Stack", "webstack-dev", {}, { urn: STACK, parent: null, custom: false });
const api = (inputs: Record<string, unknown>, extra: Partial<ManifestResource> = {}) =>
  res("webstack:index:WebService", "ott-api-dev", inputs, { custom: false, ...extra });
const svcUrn = urn("webstack:index:WebService", "ott-api-dev");
const child = (name: string, inputs: Record<string, unknown>) =>
  res("webstack:render:Service", name, inputs, { parent: svcUrn });

const base: Manifest = {
  project: "webstack",
  stack: "dev",
  resources: [
    stackRes,
    api({}),
    child("ott-api-dev", { plan: "free", envVars: { LOG_LEVEL: "debug", STRIPE_KEY: "[secret]" }, domains: ["a.example.com"] }),
    child("ott-api-dev-bob", { plan: "free", branch: "bob" }),
    res("random:index/randomPassword:RandomPassword", "session", { length: 48 }),
  ],
  outputs: { environment: "development", url: "https://ott-api-dev.onrender.com" },
};

const head: Manifest = {
  ...base,
  resources: [
    stackRes,
    api({}),
    child("ott-api-dev", { plan: "starter", envVars: { LOG_LEVEL: "debug", STRIPE_KEY: "[secret]", NEW_FLAG: "on" }, domains: ["a.example.com"] }),
    child("ott-api-dev-carol", { plan: "free", branch: "carol" }),
    res("random:index/randomPassword:RandomPassword", "session", { length: 48 }, { protect: true }),
  ],
  outputs: { environment: "development", url: "https://ott-api-dev.onrender.com", carolUrl: "[secret]" },
};

describe("synth diff", () => {
  it("finds exactly the known change", () => {
    const d = diffManifests("dev", base, head);
    expect(d.added.map((r) => r.name)).toEqual(["ott-api-dev-carol"]);
    expect(d.removed.map((r) => r.name)).toEqual(["ott-api-dev-bob"]);
    expect(d.changed).toEqual([
      {
        urn: urn("random:index/randomPassword:RandomPassword", "session"),
        type: "random:index/randomPassword:RandomPassword",
        name: "session",
        changes: [{ key: "(protect)", before: false, after: true }],
      },
      {
        urn: urn("webstack:render:Service", "ott-api-dev", "webstack:index:WebService"),
        type: "webstack:render:Service",
        name: "ott-api-dev",
        changes: [
          { key: "envVars.NEW_FLAG", before: undefined, after: "on" },
          { key: "plan", before: "free", after: "starter" },
        ],
      },
    ]);
    expect(d.outputs).toEqual([{ key: "carolUrl", before: undefined, after: "[secret]" }]);
  });

  it("sees no change between identical synths, and everything added for a new stack", () => {
    expect(hasChanges(diffManifests("dev", base, structuredClone(base)))).toBe(false);
    const fresh = diffManifests("dev", null, head);
    expect(fresh.added).toHaveLength(head.resources.length);
    expect(fresh.removed).toEqual([]);
    const gone = diffManifests("dev", base, null);
    expect(gone.removed).toHaveLength(base.resources.length);
  });

  it("prints a summary, the changed resources with their keys, secrets redacted, and a graph of the changed part", () => {
    const md = formatDiffMarkdown({
      base: "`develop` (1234567)",
      head: "working tree",
      diffs: [diffManifests("dev", base, head), diffManifests("prod", base, base)],
    });
    expect(md).toContain("## Offline synth diff: `develop` (1234567) → working tree");
    expect(md).toContain("| `dev` | 1 | 1 | 2 |  |");
    expect(md).toContain("| `prod` | 0 | 0 | 0 | no changes |");
    expect(md).toContain("| added | `ott-api-dev-carol` | `webstack:render:Service` | |");
    expect(md).toContain("| removed | `ott-api-dev-bob` | `webstack:render:Service` | |");
    expect(md).toContain('| changed | `ott-api-dev` | `webstack:render:Service` | `envVars.NEW_FLAG`: (unset) → `"on"`<br>`plan`: `"free"` → `"starter"` |');
    expect(md).toContain("| changed | `session` | `random:index/randomPassword:RandomPassword` | `(protect)`: `false` → `true` |");
    expect(md).toContain("Outputs: `carolUrl`: (unset) → [secret]");
    expect(md).not.toContain("### `prod`");

    const graph = md.slice(md.indexOf("```mermaid\n") + 11, md.lastIndexOf("```"));
    const nodes = [...graph.matchAll(/^ {2}(r\d+)[(\[]+"([^<]+)</gm)].map((m) => [m[1], m[2]]);
    // The four touched resources, plus their ancestors (the component and the stack) for context.
    expect(nodes.map((n) => n[1]).sort()).toEqual(
      ["ott-api-dev", "ott-api-dev", "ott-api-dev-bob", "ott-api-dev-carol", "session", "webstack-dev"].sort(),
    );
    const id = (name: string, type: string) => nodes.find((n) => n[1] === name && graph.includes(`${n[0]}["${name}<br/><small>${type}`))?.[0];
    expect(graph).toContain(`class ${id("ott-api-dev-carol", "webstack:Service")} added`);
    expect(graph).toContain(`class ${id("ott-api-dev-bob", "webstack:Service")} removed`);
    expect(graph).toContain(`class ${id("session", "random:RandomPassword")} changed`);
    expect(graph.match(/^ {2}class /gm)).toHaveLength(4);
  });

  it("reports a stack that no longer synthesizes instead of diffing it", () => {
    const md = formatDiffMarkdown({
      base: "`main`",
      head: "working tree",
      diffs: [diffManifests("dev", base, null)],
      errors: [{ stack: "dev", side: "head", message: "Invalid configuration in Pulumi.dev.yaml (1 problem):\n  webstack:app.name: x" }],
    });
    expect(md).toContain("| `dev` | – | – | – | synth failed at head |");
    expect(md).toContain("**dev**: synth failed at head:\n\n```\nInvalid configuration in Pulumi.dev.yaml (1 problem):\n  webstack:app.name: x\n```");
    expect(md).not.toContain("### `dev`");
  });
});

describe("synth diff says what `pulumi preview` would say", () => {
  const vars = (list: Record<string, unknown>[]) => res("webstack:index:EnvVarSet", "env", { variables: list }, { custom: false });
  const v = (name: string, value?: string) => ({ name, source: value === undefined ? "generate" : "literal", ...(value ? { value } : {}) });
  const manifest = (...resources: ManifestResource[]): Manifest => ({ ...base, resources: [stackRes, ...resources] });

  it("does not count a change of dependsOn alone", () => {
    const before = manifest(child("ott-api-dev-bob", { plan: "free" }), api({}, { dependsOn: ["urn:a"] }));
    const after = manifest(child("ott-api-dev-bob", { plan: "free" }), api({}, { dependsOn: ["urn:a", "urn:b"] }));
    expect(hasChanges(diffManifests("dev", before, after))).toBe(false);
    // With a real change next to it, only the real change is listed.
    const both = manifest(child("ott-api-dev-bob", { plan: "starter" }), api({}, { dependsOn: ["urn:b"] }));
    expect(diffManifests("dev", before, both).changed.map((c) => c.changes.map((k) => k.key))).toEqual([["plan"]]);
  });

  it("lists the elements a named list gained and lost, and walks into the ones on both sides", () => {
    const before = manifest(vars([v("LOG_LEVEL", "info"), v("OLD_FLAG", "1"), v("SESSION_SECRET")]));
    const after = manifest(vars([v("LOG_LEVEL", "debug"), v("SESSION_SECRET"), v("CRON_SECRET")]));
    const d = diffManifests("dev", before, after);
    expect(d.changed[0]!.changes).toEqual([
      {
        key: "variables",
        before: before.resources[1]!.inputs.variables,
        after: after.resources[1]!.inputs.variables,
        added: [v("CRON_SECRET")],
        removed: [v("OLD_FLAG", "1")],
        by: "name",
      },
      { key: "variables[LOG_LEVEL].value", before: "info", after: "debug" },
    ]);
    const md = formatDiffMarkdown({ base: "b", head: "h", diffs: [d] });
    expect(md).toContain(
      '| changed | `env` | `webstack:index:EnvVarSet` | `variables`: + `CRON_SECRET`, − `OLD_FLAG`<br>`variables[LOG_LEVEL].value`: `"info"` → `"debug"` |',
    );
  });

  it("shows plain list elements added and removed, a reorder, and the items of a long comma-separated value", () => {
    const long = (hosts: string[]) => hosts.map((h) => `https://${h}.example.com`).join(",");
    const before = manifest(
      child("ott-api-dev", { domains: ["a.example.com", "b.example.com", "b.example.com"], order: [1, 2], cors: long(["app", "www", "dev"]) }),
    );
    const after = manifest(
      child("ott-api-dev", { domains: ["b.example.com", "c.example.com"], order: [2, 1], cors: long(["app", "www", "carol", "dev"]) }),
    );
    const md = formatDiffMarkdown({ base: "b", head: "h", diffs: [diffManifests("dev", before, after)] });
    expect(md).toContain(
      '`cors`: + `"https://carol.example.com"`<br>`domains`: + `"c.example.com"`, − `"a.example.com"`, − `"b.example.com"`<br>`order`: reordered |',
    );
    // A long value that is not a list shows the part that differs, with some context.
    const text = (word: string) => `${"x".repeat(50)} the ${word} jumps ${"y".repeat(50)}`;
    const md2 = formatDiffMarkdown({
      base: "b",
      head: "h",
      diffs: [diffManifests("dev", manifest(child("ott-api-dev", { note: text("fox") })), manifest(child("ott-api-dev", { note: text("cow") })))],
    });
    expect(md2).toContain('`note`: `"…xxxxx the fox jumps yyy…"` → `"…xxxxx the cow jumps yyy…"`');
  });
});

describe("the cost part of the synth diff", () => {
  const cost = (overrides: Record<string, unknown> = {}) => {
    const r = validateStackConfig({ ...rawSections(readStackFile(ROOT, "prod").config), ...overrides }, "prod");
    if (!r.ok) throw new Error(r.errors.join("\n"));
    return { ...base, stack: "prod", resources: [], cost: costSection("prod", r.config) };
  };

  it("names the resources that change the cost, with the delta, and totals every stack", () => {
    const before = cost();
    const prod = before.cost.facts;
    const after = cost({
      backend: { ...readConfig("prod").backend, plan: "pro" },
      database: { mode: "isolated", server: "external" },
      frontend: { ...readConfig("prod").frontend, plan: "pro" },
    });
    const md = formatDiffMarkdown({ base: "b", head: "h", diffs: [diffManifests("prod", before, after), diffManifests("dev", { ...base, cost: undefined }, null)] });
    expect(prod.services[0]!.plan).toBe("standard");
    expect(md).toContain(
      "| `prod` | ≈$83.50–$133.50 | ≈$180.00–$350.00 | +≈$96.50–$216.50/month: `ott-prod-api` (standard ×2–4 → pro ×2–4, ≈$50.00–$100.00 → ≈$170.00–$340.00), `ott-prod-db` (basic_1gb + 15 GB) removed |",
    );
    expect(md).toContain("| `dev` | – | – | stack removed |");
    // Vercel Pro is an account fee: once in the total, not in the stack's.
    expect(md).toContain("| **All stacks**, account fees once | ≈$108.50–$158.50 | ≈$225.00–$395.00 | +≈$116.50–$236.50 |");
    expect(md).toContain('  "prod" : 350.00\n  "Render workspace tea-cs1ott7acme2prod4x0 (pro)" : 25.00\n  "Vercel team \'acme\' (pro)" : 20.00\n```');
    expect(md).toContain("No free-plan or account limit is crossed.");
  });
});
