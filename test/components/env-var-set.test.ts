import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { EnvVarSet, envVarIssues, vercelVariables, type EnvVar, type VercelSlot } from "../../components/env-var-set";
import { byType, settle, synthComponent } from "../harness";

const PASSWORD = "random:index/randomPassword:RandomPassword";

function build(variables: EnvVar[], frontendSlots?: VercelSlot[]) {
  let set!: EnvVarSet;
  const manifest = synthComponent(() => {
    set = new EnvVarSet("env", { variables, ...(frontendSlots ? { frontendSlots } : {}) });
  });
  return manifest.then((m) => ({ m, set }));
}

const sample = (): EnvVar[] => [
  { name: "LOG_LEVEL", literal: "info", public: true, to: ["backend"] },
  { name: "STRIPE_SECRET_KEY", secret: "sk_live_123", to: ["backend", "frontend"] },
  { name: "CRON_SECRET", generate: 48, to: ["backend", "worker"] },
  { name: "DATABASE_URL", from: pulumi.secret("postgres://u:p@h/db"), to: ["backend"] },
  { name: "NEXT_PUBLIC_APP_NAME", literal: "OTT", public: true, to: ["frontend"] },
  { name: "API_BASE", from: "https://api.example.com", public: true, to: ["worker"] },
];

describe("EnvVarSet", () => {
  it("generates each generated secret once, URL-safe, as a child of the set", async () => {
    const { m } = await build(sample());
    const pw = byType(m, PASSWORD);
    expect(pw.map((r) => r.name)).toEqual(["env-cron-secret"]);
    expect(pw[0]!.inputs).toEqual({ length: 48, special: false });
    expect(pw[0]!.parent).toBe(byType(m, "webstack:index:EnvVarSet")[0]!.urn);
  });

  it("renders the backend map, secret as a whole, with every backend value", async () => {
    const { set } = await build(sample());
    const { value, secret } = await settle(set.renderEnvVars);
    expect(secret).toBe(true);
    expect(Object.keys(value).sort()).toEqual(["CRON_SECRET", "DATABASE_URL", "LOG_LEVEL", "STRIPE_SECRET_KEY"]);
    expect(value.LOG_LEVEL).toBe("info");
    expect(value.STRIPE_SECRET_KEY).toBe("sk_live_123");
    expect(value.DATABASE_URL).toBe("postgres://u:p@h/db");
    expect(value.CRON_SECRET).toMatch(/^fake-env-cron-secret-x+$/);
  });

  it("keeps a public-only backend map readable", async () => {
    const { set } = await build([{ name: "LOG_LEVEL", literal: "info", public: true, to: ["backend"] }]);
    expect(await settle(set.renderEnvVars)).toEqual({ value: { LOG_LEVEL: "info" }, secret: false });
  });

  it("shares one generated value between the backend and the worker", async () => {
    const { set } = await build(sample());
    const backend = (await settle(set.renderEnvVars)).value.CRON_SECRET;
    const binding = set.workerBindings.find((b) => b.name === "CRON_SECRET")!;
    expect(binding.type).toBe("secret_text");
    expect(await settle(pulumi.output(binding.text))).toEqual({ value: backend, secret: true });
    expect(await settle(set.values.CRON_SECRET!)).toEqual({ value: backend, secret: true });
  });

  it("binds public values as plain text and everything else as secret text", async () => {
    const { set } = await build(sample());
    expect(set.workerBindings.map((b) => [b.name, b.type])).toEqual([
      ["CRON_SECRET", "secret_text"],
      ["API_BASE", "plain_text"],
    ]);
    const plain = set.workerBindings.find((b) => b.name === "API_BASE")!;
    expect(await settle(pulumi.output(plain.text))).toEqual({ value: "https://api.example.com", secret: false });
  });

  it("renders frontend values to every slot: public ones plain, secrets sensitive and never to development", async () => {
    const { set } = await build(sample());
    const rows = await Promise.all(
      set.vercelVariables.map(async (v) => [v.key, v.target, v.sensitive, (await settle(pulumi.output(v.value))).secret]),
    );
    expect(rows).toEqual([
      ["STRIPE_SECRET_KEY", "production", true, true],
      ["STRIPE_SECRET_KEY", "preview", true, true],
      ["NEXT_PUBLIC_APP_NAME", "production", false, false],
      ["NEXT_PUBLIC_APP_NAME", "preview", false, false],
      ["NEXT_PUBLIC_APP_NAME", "development", false, false],
    ]);
  });

  it("writes only the slots it is given, and a per-slot value only to its slot", async () => {
    const { set } = await build(
      [
        { name: "NEXT_PUBLIC_APP_NAME", literal: "OTT (dev)", public: true, to: ["frontend"] },
        { name: "NEXT_PUBLIC_FLAG", literal: "a", public: true, to: ["frontend"], target: "preview", gitBranch: "alice" },
        { name: "NEXT_PUBLIC_FLAG", literal: "b", public: true, to: ["frontend"], target: "preview", gitBranch: "develop" },
      ],
      [
        { target: "preview", gitBranch: "develop" },
        { target: "preview", gitBranch: "alice" },
      ],
    );
    expect(set.vercelVariables.map((v) => `${v.key}@${v.gitBranch}`)).toEqual([
      "NEXT_PUBLIC_APP_NAME@develop",
      "NEXT_PUBLIC_APP_NAME@alice",
      "NEXT_PUBLIC_FLAG@alice",
      "NEXT_PUBLIC_FLAG@develop",
    ]);
    expect(set.values.NEXT_PUBLIC_FLAG).toBeUndefined();
  });

  it("refuses a secret under a browser name before registering anything, naming the variable", async () => {
    const m = synthComponent(() => {
      new EnvVarSet("env", {
        variables: [
          { name: "VITE_OPENAI_API_KEY", secret: "sk-1", to: ["frontend"] },
          { name: "NEXT_PUBLIC_DB", from: "postgres://x", to: ["frontend"] },
        ],
      });
    });
    await expect(m).rejects.toThrow(
      [
        "EnvVarSet 'env': invalid variables:",
        "  variables[0] (VITE_OPENAI_API_KEY): holds a secret, but frontend builds inline 'VITE_' variables into the browser bundle; rename it without the prefix so only server code reads it",
        "  variables[1] (NEXT_PUBLIC_DB): is server-only, but frontend builds inline 'NEXT_PUBLIC_' variables into the browser bundle; rename it without the prefix, or mark it public if anyone may read it",
      ].join("\n"),
    );
  });

  it("fails a public value from another component that turns out to be secret, naming it", async () => {
    let value!: pulumi.Output<string>;
    await synthComponent(() => {
      const set = new EnvVarSet("env", {
        variables: [{ name: "NEXT_PUBLIC_DB", from: pulumi.secret("postgres://x"), public: true, to: ["frontend"] }],
        frontendSlots: [{ target: "production" }],
      });
      value = pulumi.output(set.vercelVariables[0]!.value);
      // Observe the Output's other promises, which reject too.
      const o = value as unknown as { isKnown: Promise<boolean>; isSecret: Promise<boolean> };
      o.isKnown.catch(() => undefined);
      o.isSecret.catch(() => undefined);
    });
    // Registering a resource with it fails the same way (pulumi preview names the key).
    await expect((value as unknown as { promise(): Promise<string> }).promise()).rejects.toThrow(
      "NEXT_PUBLIC_DB: marked public, but its value is a Pulumi secret; keep it server-only",
    );
    let plain!: pulumi.Output<string>;
    await synthComponent(() => {
      const set = new EnvVarSet("env", {
        variables: [{ name: "NEXT_PUBLIC_API_URL", from: pulumi.output("https://api"), public: true, to: ["frontend"] }],
        frontendSlots: [{ target: "production" }],
      });
      plain = pulumi.output(set.vercelVariables[0]!.value);
    });
    expect(await settle(plain)).toEqual({ value: "https://api", secret: false });
  });

  it("registers nothing when refused", async () => {
    let registered = 0;
    await synthComponent(() => {
      try {
        new EnvVarSet("env", { variables: [{ name: "REACT_APP_KEY", generate: 32, to: ["frontend"] }] });
      } catch {
        registered = -1;
      }
    }).then((m) => (registered += m.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").length));
    expect(registered).toBe(-1);
  });
});

describe("envVarIssues", () => {
  it("names each malformed variable", () => {
    expect(
      envVarIssues([
        { name: "lower", literal: "x", public: true, to: ["backend"] },
        { name: "TWO", literal: "x", secret: "y", to: ["backend"] },
        { name: "NONE", to: ["backend"] },
        { name: "SHORT", generate: 8, to: ["backend"] },
        { name: "NOBODY", literal: "x", to: [] },
        { name: "DUP", literal: "x", to: ["backend"] },
        { name: "DUP", literal: "y", to: ["frontend"] },
        { name: "SLOT", literal: "x", public: true, to: ["backend", "frontend"], target: "production" },
        { name: "BRANCH", literal: "x", to: ["frontend"], target: "production", gitBranch: "a" },
        { name: "ELSEWHERE", literal: "x", public: true, to: ["frontend"], target: "preview", gitBranch: "zed" },
        { name: "DEV_SECRET", literal: "x", to: ["frontend"], target: "development" },
      ]),
    ).toEqual([
      "variables[0] (lower): expected an UPPER_SNAKE_CASE variable name",
      "variables[1] (TWO): needs exactly one source of literal | secret | generate | from, got literal, secret",
      "variables[2] (NONE): needs exactly one source of literal | secret | generate | from, got none",
      "variables[3] (SHORT): generate: expected a length from 16 to 128",
      "variables[4] (NOBODY): to: name at least one of 'backend' | 'frontend' | 'worker'",
      "variables[7] (SLOT): a value for one Vercel target must go to ['frontend'] only",
      "variables[8] (BRANCH): gitBranch needs target 'preview'",
      "variables[8] (BRANCH): slot production@a is not one of this set's frontendSlots (production, preview, development)",
      "variables[9] (ELSEWHERE): slot preview@zed is not one of this set's frontendSlots (production, preview, development)",
      "variables[10] (DEV_SECRET): server-only values cannot target development (Vercel keeps development values readable)",
      "DUP: defined more than once; a name has one value per stack (per Vercel slot for frontend values)",
    ]);
  });

  it("allows a literal public variable under every browser prefix", () => {
    expect(
      envVarIssues(
        ["NEXT_PUBLIC_", "VITE_", "PUBLIC_", "REACT_APP_", "NUXT_PUBLIC_", "EXPO_PUBLIC_", "GATSBY_"].map((p) => ({
          name: `${p}APP_NAME`,
          literal: "OTT",
          public: true,
          to: ["frontend" as const],
        })),
      ),
    ).toEqual([]);
  });
});

describe("vercelVariables", () => {
  it("refuses generated secrets, which need an EnvVarSet", () => {
    expect(() => vercelVariables([{ name: "X", generate: 32, to: ["frontend"] }])).toThrow(/need an EnvVarSet/);
  });
});
