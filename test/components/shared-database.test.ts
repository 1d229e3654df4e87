import { afterEach, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { Database } from "../../components/database";
import { DATABASE_STACK_OUTPUTS } from "../../components/database-outputs";
import { defaultConsumerName, isProductionStackName, SharedDatabase, SharingError } from "../../components/shared-database";
import { fakeStackOutputs } from "../../synth/fake-outputs";
import { byType, one, settle, synthComponent } from "../harness";

const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/** Registers a fake owner stack for the duration of one test. */
function ownerStack(ref: string, environment: string | undefined, consumers: string[] = ["dev"]) {
  const pattern = `^${ref}$`;
  fakeStackOutputs[pattern] = () => ({
    outputs: {
      ...(environment === undefined ? {} : { [DATABASE_STACK_OUTPUTS.environment]: environment }),
      [DATABASE_STACK_OUTPUTS.consumers]: Object.fromEntries(
        consumers.map((c) => [c, { host: "db.internal", port: 5432, database: "ott_live", user: `ott_live_${c}` }]),
      ),
      [DATABASE_STACK_OUTPUTS.consumerConnectionStrings]: Object.fromEntries(
        consumers.map((c) => [c, `postgresql://ott_live_${c}:pw-${c}@db.internal:5432/ott_live?sslmode=require`]),
      ),
    },
    secretOutputNames: [DATABASE_STACK_OUTPUTS.consumerConnectionStrings],
  });
  added.push(pattern);
}
const added: string[] = [];

/** Stands in for a Render service that receives the connection string. */
class Service extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs) {
    super("webstack:test:Service", name, props);
  }
}
afterEach(() => {
  for (const p of added.splice(0)) delete fakeStackOutputs[p];
});

/**
 * A refusal discovered in the owner's outputs fails every Output derived from them, as it fails
 * `pulumi up`; Pulumi reports those as unhandled rejections. This collects them (instead of
 * vitest) and returns their messages.
 */
async function collectRejections(run: () => Promise<unknown>): Promise<{ result: unknown; rejections: string[]; reasons: unknown[] }> {
  const reasons: unknown[] = [];
  const saved = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  const listener = (reason: unknown) => void reasons.push(reason);
  process.on("unhandledRejection", listener);
  try {
    const result = await run().then(
      (v) => v,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 20));
    return { result, rejections: reasons.map(String), reasons };
  } finally {
    process.removeListener("unhandledRejection", listener);
    for (const l of saved) process.on("unhandledRejection", l);
  }
}

describe("SharedDatabase", () => {
  it("reads its own consumer's endpoint and secret connection string from the owner stack", async () => {
    let db!: SharedDatabase;
    const m = await synthComponent(
      () => {
        db = new SharedDatabase("db", { from: "acme/webstack/staging" });
        return { connectionString: db.connectionString, host: db.host };
      },
      { stack: "dev" },
    );
    const ref = one(m, STACK_REFERENCE);
    expect(ref.name).toBe("db-owner");
    expect(ref.parent).toContain("webstack:index:SharedDatabase");
    expect(await settle(db.host)).toEqual({ value: "dpg-fake-ott-staging-a.frankfurt-postgres.render.com", secret: false });
    expect(await settle(db.user)).toEqual({ value: "ott_staging_dev", secret: false });
    expect(await settle(db.database)).toEqual({ value: "ott_staging", secret: false });
    expect(await settle(db.port)).toEqual({ value: 5432, secret: false });
    const cs = await settle(db.connectionString);
    expect(cs.secret).toBe(true);
    expect(cs.value).toMatch(/^postgresql:\/\/ott_staging_dev:fake-dev-password@/);
    expect(m.outputs.connectionString).toBe("[secret]");
    expect(JSON.stringify(m)).not.toContain("fake-dev-password");
  });

  it("uses the named consumer, e.g. 'preview' for pull-request stacks", async () => {
    let db!: SharedDatabase;
    await synthComponent(() => void (db = new SharedDatabase("db", { from: "acme/webstack/staging", consumer: "preview" })), {
      stack: "pr-42",
    });
    expect((await settle(db.user)).value).toBe("ott_staging_preview");
    expect((await settle(db.connectionString)).value).toContain("ott_staging_preview:fake-preview-password@");
  });

  it("lets a transform adjust the owner reference", async () => {
    const seen: { name: unknown; parent: unknown }[] = [];
    let db!: SharedDatabase;
    await synthComponent(
      () => {
        db = new SharedDatabase(
          "db",
          { from: "acme/webstack/staging" },
          { transform: { reference: (args, opts) => void seen.push({ name: args.name, parent: opts.parent }) } },
        );
      },
      { stack: "dev" },
    );
    expect(seen).toEqual([{ name: "acme/webstack/staging", parent: db }]);
  });

  it("refuses a production owner by stack name before registering anything", async () => {
    for (const from of ["acme/webstack/prod", "acme/webstack/production", "acme/webstack/prod-eu"]) {
      const m = await synthComponent(() => {
        expect(() => new SharedDatabase("db", { from })).toThrow(/webstack:database\.allowProductionData/);
      });
      expect(byType(m, STACK_REFERENCE)).toEqual([]);
      expect(byType(m, "webstack:index:SharedDatabase")).toEqual([]);
    }
  });

  it("refuses an owner whose exported environment is production", async () => {
    ownerStack("acme/webstack/live", "production");
    const { result, rejections } = await collectRejections(() =>
      synthComponent(
        () => {
          const db = new SharedDatabase("db", { from: "acme/webstack/live", consumer: "dev" });
          return { connectionString: db.connectionString };
        },
        { stack: "dev" },
      ),
    );
    expect(String(result)).toMatch(
      /acme\/webstack\/dev refuses to share the database of acme\/webstack\/live: its environment is production.*webstack:database\.allowProductionData: true/,
    );
    expect(rejections.length).toBeGreaterThan(0);
    for (const r of rejections) expect(r).toMatch(/^Error: acme\/webstack\/dev refuses to share the database of acme\/webstack\/live/);
    // The refusal never carries the secret it withholds.
    for (const r of [String(result), ...rejections]) expect(r).not.toContain("pw-dev");
  });

  it("treats an owner that exports no environment as production", async () => {
    ownerStack("acme/webstack/legacy", undefined);
    const { result } = await collectRejections(() =>
      synthComponent(() => ({ cs: new SharedDatabase("db", { from: "acme/webstack/legacy", consumer: "dev" }).connectionString })),
    );
    expect(String(result)).toMatch(/exports no 'environment' output.*allowProductionData/);
  });

  it("shares production data when allowProductionData is set, still as a secret", async () => {
    ownerStack("acme/webstack/prod", "production");
    let db!: SharedDatabase;
    await synthComponent(() => void (db = new SharedDatabase("db", { from: "acme/webstack/prod", consumer: "dev", allowProductionData: true })));
    const cs = await settle(db.connectionString);
    expect(cs).toEqual({ value: "postgresql://ott_live_dev:pw-dev@db.internal:5432/ott_live?sslmode=require", secret: true });
  });

  it("fails clearly when the owner does not list this consumer", async () => {
    ownerStack("acme/webstack/qa", "staging", ["preview"]);
    const { result } = await collectRejections(() =>
      synthComponent(() => ({ cs: new SharedDatabase("db", { from: "acme/webstack/qa", consumer: "dev" }).connectionString })),
    );
    expect(String(result)).toMatch(/acme\/webstack\/test cannot use the database of acme\/webstack\/qa: consumer 'dev' is not in webstack:database\.consumers.*it lists: preview/);
  });

  it("reports a missing consumer as one unprefixed error however many resources use the connection string", async () => {
    ownerStack("acme/webstack/qa", "staging", ["preview"]);
    let db!: SharedDatabase;
    const { result, reasons } = await collectRejections(() =>
      synthComponent(
        () => {
          db = new SharedDatabase("db", { from: "acme/webstack/qa", consumer: "dev" });
          // Like 50 branch services, each with DATABASE_URL among its env vars.
          for (let i = 0; i < 50; i++) {
            new Service(`svc-${i}`, { envVars: { DATABASE_URL: db.connectionString } });
          }
        },
        { stack: "dev" },
      ),
    );
    await expect(db.ready()).rejects.toBeInstanceOf(SharingError);
    const reason = await db.ready().catch((e: unknown) => e);
    // Pulumi's runner reports each distinct error object once: here, one.
    expect(reasons.length).toBeGreaterThan(0);
    for (const r of [...reasons, ...(result instanceof Error ? [result] : [])]) expect(r).toBe(reason);
    expect((reason as Error).message).toBe(
      "acme/webstack/dev cannot use the database of acme/webstack/qa: consumer 'dev' is not in webstack:database.consumers of acme/webstack/qa " +
        "(it lists: preview). Add 'dev' there and run 'pulumi up' on acme/webstack/qa, or set webstack:database.consumer here to a name it lists " +
        "(SharedDatabase arg consumer).",
    );
  });

  it("validates from", async () => {
    await synthComponent(() => {
      expect(() => new SharedDatabase("db", { from: "webstack/staging" })).toThrow(/'<org>\/<project>\/<stack>'/);
    });
  });
});

describe("owner → consumer contract", () => {
  it("a consumer reads exactly what an owner Database exports under DATABASE_STACK_OUTPUTS", async () => {
    // The owner stack, as index.ts exports it.
    let exported: Record<string, unknown> = {};
    await synthComponent(
      () => {
        const db = new Database("db", {
          app: "ott",
          consumers: ["dev"],
          adminConnection: { host: "pg.example.com", port: 5432, username: "admin", password: pulumi.secret("x") },
        });
        exported = {
          [DATABASE_STACK_OUTPUTS.environment]: pulumi.output("staging"),
          [DATABASE_STACK_OUTPUTS.consumers]: db.consumers,
          [DATABASE_STACK_OUTPUTS.consumerConnectionStrings]: db.consumerConnectionStrings,
        };
      },
      { stack: "qa" },
    );
    const outputs: Record<string, unknown> = {};
    const secretOutputNames: string[] = [];
    for (const [k, v] of Object.entries(exported)) {
      const s = await settle(v as pulumi.Output<unknown>);
      outputs[k] = s.value;
      if (s.secret) secretOutputNames.push(k);
    }
    expect(secretOutputNames).toEqual([DATABASE_STACK_OUTPUTS.consumerConnectionStrings]);
    fakeStackOutputs["^acme/webstack/qa$"] = () => ({ outputs, secretOutputNames });
    added.push("^acme/webstack/qa$");

    let shared!: SharedDatabase;
    await synthComponent(() => void (shared = new SharedDatabase("db", { from: "acme/webstack/qa" })), { stack: "dev" });
    expect((await settle(shared.user)).value).toBe("ott_qa_dev");
    const cs = await settle(shared.connectionString);
    expect(cs.secret).toBe(true);
    expect(cs.value).toMatch(/^postgresql:\/\/ott_qa_dev:fake-db-dev-password-x+@pg\.example\.com:5432\/ott_qa\?sslmode=require$/);
  });
});

describe("isProductionStackName", () => {
  it("matches prod and production stack segments only", () => {
    expect(["a/b/prod", "a/b/production", "a/b/PROD", "a/b/prod-eu", "a/b/production_2"].map(isProductionStackName)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(["a/b/staging", "a/b/product", "a/b/preprod", "a/prod/dev", "a/b/products-demo"].map(isProductionStackName)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe("defaultConsumerName", () => {
  it("maps every preview stack to the shared 'preview' consumer", () => {
    expect(defaultConsumerName("preview", "pr-42")).toBe("preview");
    expect(defaultConsumerName("development", "dev")).toBe("dev");
  });
});
