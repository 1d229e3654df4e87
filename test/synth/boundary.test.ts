// The environment boundary the synth enforces from the committed stack files (synth/boundary.ts),
// and the one-line refusal of the program's own rule (config/boundary.ts).
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { rawSections } from "../../config/raw";
import { validateStackConfig } from "../../config/validate";
import { boundaryReport } from "../../synth/boundary";
import { listStacks, PREVIEW_TEMPLATE, readStackFile } from "../../synth/stack-file";
import { ROOT } from "../harness";
import { synthInProcess } from "./cli-run";
import { testDir } from "../scratch";

/** A scratch project with the committed stack files, each edited by `edit[stack]` (config and top-level keys). */
function project(edit: Record<string, (doc: Record<string, any>) => void> = {}): string {
  const dir = testDir("webstack-boundary-");
  copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  for (const [stack, file] of [...listStacks(ROOT).map((s) => [s, `Pulumi.${s}.yaml`]), ["pr-1", PREVIEW_TEMPLATE]] as const) {
    const doc = YAML.parse(readFileSync(join(ROOT, file), "utf8"));
    edit[stack]?.(doc);
    const out = stack === "pr-1" ? join(dir, "stacks") : dir;
    if (stack === "pr-1") require("node:fs").mkdirSync(out, { recursive: true });
    writeFileSync(join(dir, file), YAML.stringify(doc));
  }
  return dir;
}

function report(root: string, stack: string) {
  const file = readStackFile(root, stack);
  const r = validateStackConfig(rawSections(file.config), stack);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return boundaryReport(root, stack, file.project, r.config);
}

describe("nothing below production reads production", () => {
  it("the committed stacks read no production stack and share one secrets provider", () => {
    for (const stack of [...listStacks(ROOT), "pr-3"]) expect(report(ROOT, stack), stack).toEqual({ errors: [], warnings: [] });
    for (const stack of ["staging", "dev"]) {
      const text = readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
      expect(text, stack).not.toMatch(/acme\/webstack\/prod\b/);
    }
    expect(readFileSync(join(ROOT, PREVIEW_TEMPLATE), "utf8")).not.toMatch(/acme\/webstack\/prod\b/);
  });

  it("the program's rule refuses a project reference to a stack named like production, one line per key", () => {
    for (const stack of ["staging", "dev", "pr-9"]) {
      const raw = rawSections(readStackFile(ROOT, stack).config) as Record<string, any>;
      raw.app.renderProject = { from: "acme/webstack/prod" };
      const { projectId, ...frontend } = raw.frontend;
      expect(projectId).toMatch(/^prj_/);
      raw.frontend = { ...frontend, from: "acme/webstack/production" };
      const r = validateStackConfig(raw, stack);
      const env = raw.environment;
      expect(r.ok ? [] : r.errors, stack).toEqual([
        `webstack:app.renderProject.from: reads acme/webstack/prod, a production stack; a ${env} stack must not read production: set webstack:app.renderProject.id to the owner's 'renderProjectId' output`,
        `webstack:frontend.from: reads acme/webstack/production, a production stack; a ${env} stack must not read production: set webstack:frontend.projectId to the owner's 'frontendProjectId' output`,
      ]);
    }
    // prod itself may name whatever it likes; and one of name, id or from.
    const prod = rawSections(readStackFile(ROOT, "prod").config) as Record<string, any>;
    expect(validateStackConfig(prod, "prod").ok).toBe(true);
    prod.app.renderProject = { name: "ott", id: "prj-abc" };
    expect(validateStackConfig(prod).ok ? [] : (validateStackConfig(prod) as { errors: string[] }).errors).toEqual([
      "webstack:app.renderProject: set one of 'name' (this stack owns the project), 'id' or 'from' (another stack does)",
    ]);
  });

  it("the synth refuses a stack that reads a production stack whatever its name, from that stack's file", () => {
    // 'live' is production by its file, not by its name.
    const root = project({
      prod: (d) => void (d.config["webstack:app"].renderProject = { name: "ott" }),
      staging: (d) => {
        d.config["webstack:app"].renderProject = { from: "acme/webstack/live" };
      },
    });
    writeFileSync(join(root, "Pulumi.live.yaml"), readFileSync(join(root, "Pulumi.prod.yaml"), "utf8"));
    expect(report(root, "staging").errors).toEqual([
      "webstack:app.renderProject.from: reads acme/webstack/live, a production stack; a staging stack must not read production: set webstack:app.renderProject.id to the owner's 'renderProjectId' output",
    ]);
    // A data section that opted in on purpose is the owner's documented exception; another project is not judged.
    const other = project({ dev: (d) => void (d.config["webstack:app"].renderProject = { from: "acme/otherproject/live" }) });
    expect(report(other, "dev").errors).toEqual([]);
  });

  it("warns where stacks that read each other name different secrets providers or passphrase salts", () => {
    const kms = project({ staging: (d) => void (d.secretsprovider = "awskms://alias/webstack-staging?region=eu-central-1") });
    expect(report(kms, "dev").warnings).toEqual([
      "webstack:database.from: Pulumi.dev.yaml names the secrets provider the backend's default (Pulumi Cloud's, or a passphrase on a DIY backend) and Pulumi.staging.yaml names awskms://alias/webstack-staging: " +
        "this stack cannot decrypt acme/webstack/staging's secret outputs unless both stacks share one secrets provider (docs/delivery.md, \"One secrets provider\")",
    ]);
    expect(report(kms, "pr-4").warnings).toHaveLength(1);
    const salts = project({
      staging: (d) => void (d.encryptionsalt = "v1:c3RhZ2luZw==:v1:aaaa:bbbb"),
      dev: (d) => void (d.encryptionsalt = "v1:ZGV2Cg==:v1:cccc:dddd"),
    });
    expect(report(salts, "dev").warnings).toEqual([
      expect.stringMatching(/^webstack:database\.from: Pulumi\.dev\.yaml and Pulumi\.staging\.yaml carry different encryptionsalt values: .*same PULUMI_CONFIG_PASSPHRASE/),
    ]);
    const same = project({
      staging: (d) => Object.assign(d, { secretsprovider: "passphrase", encryptionsalt: "v1:c2FtZQ==:v1:aaaa:bbbb" }),
      dev: (d) => void (d.encryptionsalt = "v1:c2FtZQ==:v1:aaaa:bbbb"),
    });
    expect(report(same, "dev").warnings).toEqual([]);
  });

  it("npm run synth refuses the crossing in one line naming the key and the stack, and prints the warning", async () => {
    const root = project({
      staging: (d) => {
        d.config["webstack:frontend"].from = "acme/webstack/live";
        delete d.config["webstack:frontend"].projectId;
        d.secretsprovider = "awskms://alias/x";
      },
    });
    writeFileSync(join(root, "Pulumi.live.yaml"), readFileSync(join(root, "Pulumi.prod.yaml"), "utf8"));
    // The synth CLI's code in-process, reading that checkout's stack files (its entry runs in cli.test.ts).
    const run = await synthInProcess(["staging"], { root });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "warning: webstack:frontend.from: Pulumi.staging.yaml names the secrets provider awskms://alias/x and Pulumi.live.yaml names the backend's default " +
        "(Pulumi Cloud's, or a passphrase on a DIY backend): this stack cannot decrypt acme/webstack/live's secret outputs unless both stacks share one secrets provider " +
        '(docs/delivery.md, "One secrets provider")\n' +
      "Invalid configuration in Pulumi.staging.yaml (1 problem):\n" +
        "  webstack:frontend.from: reads acme/webstack/live, a production stack; a staging stack must not read production: set webstack:frontend.projectId to the owner's 'frontendProjectId' output\n",
    );
  });
});
