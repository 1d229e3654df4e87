import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { Database, type DatabaseOptions, pgIdentifier } from "../../components/database";
import { DATABASE_STACK_OUTPUTS } from "../../components/database-outputs";
import type { ManifestResource } from "../../synth/manifest";
import { byType, one, settle, synthComponent } from "../harness";

const PROVIDER = "pulumi:providers:postgresql";
const ROLE = "postgresql:index/role:Role";
const DATABASE = "postgresql:index/database:Database";
const GRANT = "postgresql:index/grant:Grant";
const DEFAULT_PRIVILEGES = "postgresql:index/defaultPrivileges:DefaultPrivileges";
const PASSWORD = "random:index/randomPassword:RandomPassword";

const EXTERNAL = {
  "postgresql:host": "db.example.com",
  "postgresql:port": "6543",
  "postgresql:username": "admin",
  "postgresql:password": "admin-secret-pw",
};

/** Stands in for the Render Postgres that index.ts creates (providers/render/postgres.ts). */
class FakeRenderPostgres extends pulumi.CustomResource {
  declare readonly host: pulumi.Output<string>;
  declare readonly port: pulumi.Output<number>;
  declare readonly databaseName: pulumi.Output<string>;
  declare readonly databaseUser: pulumi.Output<string>;
  declare readonly password: pulumi.Output<string>;
  constructor(name: string) {
    super("webstack:test:RenderPostgres", name, {
      host: "dpg-abc-a.frankfurt-postgres.render.com",
      port: 5432,
      databaseName: "ott_xyz",
      databaseUser: "ott_admin",
      password: pulumi.secret("render-admin-pw"),
    });
  }
}

function renderDatabase(name: string, args: { consumers?: string[]; protect?: boolean; stack?: string }, opts: DatabaseOptions = {}) {
  const server = new FakeRenderPostgres(`${name}-server`);
  const db = new Database(
    name,
    {
      app: "ott",
      stack: args.stack,
      consumers: args.consumers,
      protect: args.protect,
      adminConnection: {
        host: server.host,
        port: server.port,
        username: server.databaseUser,
        password: server.password,
        database: server.databaseName,
      },
    },
    { ...opts, dependsOn: [server] },
  );
  return { server, db };
}

const pgChildren = (m: { resources: ManifestResource[] }) => m.resources.filter((r) => r.type.startsWith("postgresql:"));

describe("Database with an external server", () => {
  it("builds its admin provider from postgresql:* config with sslmode set explicitly", async () => {
    let db!: Database;
    const m = await synthComponent(
      () => {
        db = new Database("db", { app: "ott", sslmode: "verify-full" });
      },
      { config: EXTERNAL, stack: "staging" },
    );
    const provider = one(m, PROVIDER, "db-admin");
    expect(provider.inputs).toMatchObject({
      host: "db.example.com",
      port: "6543",
      username: "admin",
      password: "[secret]",
      database: "postgres",
      sslmode: "verify-full",
      superuser: "false",
    });
    for (const child of pgChildren(m)) expect(child.parent).toContain("webstack:index:Database");
    expect(one(m, ROLE).inputs).toMatchObject({ name: "ott_staging", login: true, password: "[secret]" });
    expect(one(m, DATABASE).inputs).toMatchObject({ name: "ott_staging", owner: "ott_staging" });
    expect((await settle(db.host)).value).toBe("db.example.com");
    expect((await settle(db.port)).value).toBe(6543);
    const cs = await settle(db.connectionString);
    expect(cs.secret).toBe(true);
    expect(cs.value).toMatch(/^postgresql:\/\/ott_staging:fake-db-owner-password-x+@db\.example\.com:6543\/ott_staging\?sslmode=verify-full$/);
  });

  it("refuses to start without a server, naming the config keys, before registering anything", async () => {
    const m = await synthComponent(() => {
      expect(() => new Database("db", { app: "ott" })).toThrow(/postgresql:host.*postgresql:password/);
    });
    expect(m.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
  });

  it("requires the admin password as a secret", async () => {
    await synthComponent(
      () => {
        expect(() => new Database("db", { app: "ott" })).toThrow(/--secret postgresql:password/);
      },
      { config: { "postgresql:host": "db.example.com" } },
    );
  });
});

describe("Database on a Render Postgres", () => {
  it("connects through an explicit provider that waits for the server, as does every child", async () => {
    let server!: FakeRenderPostgres;
    const m = await synthComponent(() => {
      ({ server } = renderDatabase("db", { consumers: ["dev"] }));
    });
    const serverUrn = await settle(server.urn).then((s) => s.value);
    const provider = one(m, PROVIDER, "db-admin");
    expect(provider.inputs).toMatchObject({
      host: "dpg-abc-a.frankfurt-postgres.render.com",
      port: "5432",
      username: "ott_admin",
      password: "[secret]",
      database: "ott_xyz",
      sslmode: "require",
      superuser: "false",
    });
    expect(provider.dependsOn).toContain(serverUrn);
    // The owner's provider: same server, the owner's login, its own database, once that exists.
    const asOwner = one(m, PROVIDER, "db-as-owner");
    expect(asOwner.inputs).toMatchObject({
      host: "dpg-abc-a.frankfurt-postgres.render.com",
      port: "5432",
      username: "ott_test",
      password: "[secret]",
      database: "ott_test",
      sslmode: "require",
      superuser: "false",
    });
    expect(asOwner.dependsOn).toEqual(expect.arrayContaining([serverUrn, one(m, DATABASE).urn]));
    const children = pgChildren(m);
    expect(children.length).toBeGreaterThan(5);
    for (const child of children) expect(child.dependsOn, child.name).toContain(serverUrn);
  });

  it("connects the admin to the database the real RenderPostgres reports, not to 'postgres'", async () => {
    const { RenderPostgres } = await import("../../providers/render/postgres-resource.js");
    const m = await synthComponent(() => {
      // No databaseName requested: Render picks it, and only a declared output carries it back.
      const server = new RenderPostgres("db-server", { ownerId: "tea-abc123", name: "ott-prod-db", plan: "basic_256mb", version: "16", region: "frankfurt" });
      new Database(
        "db",
        {
          app: "ott",
          adminConnection: {
            host: server.host,
            port: server.port,
            username: server.databaseUser,
            password: server.password,
            database: server.databaseName,
          },
        },
        { dependsOn: [server] },
      );
    });
    const admin = one(m, PROVIDER, "db-admin");
    expect(admin.inputs.database).toBe("db_fake");
    expect(admin.inputs.host).toBe("dpg-fake-ott-prod-db-a.frankfurt-postgres.render.com");
  });

  it("creates the role, a database it owns, and revokes CONNECT from PUBLIC", async () => {
    const grantOpts: Record<string, pulumi.CustomResourceOptions> = {};
    let db!: Database;
    const m = await synthComponent(
      () => {
        ({ db } = renderDatabase("db", {}, { transform: { grant: (a, o) => void (grantOpts[String(a.role)] = o) } }));
      },
      { stack: "prod" },
    );
    const role = one(m, ROLE);
    expect(role.name).toBe("db-owner");
    expect(role.inputs).toMatchObject({ name: "ott_prod", login: true, password: "[secret]" });
    expect(role.inputs).not.toHaveProperty("superuser", true);
    expect(one(m, DATABASE).inputs).toMatchObject({ name: "ott_prod", owner: "ott_prod" });
    const revoke = one(m, GRANT);
    expect(revoke.inputs).toMatchObject({ database: "ott_prod", role: "public", objectType: "database", privileges: [] });
    expect(grantOpts.public?.deleteBeforeReplace).toBe(true);

    const pw = one(m, PASSWORD);
    expect(pw.inputs).toMatchObject({ length: 32, special: false });
    expect(await settle(db.user)).toEqual({ value: "ott_prod", secret: false });
    expect(await settle(db.database)).toEqual({ value: "ott_prod", secret: false });
    const cs = await settle(db.connectionString);
    expect(cs.secret).toBe(true);
    expect(cs.value.startsWith("postgresql://ott_prod:fake-db-owner-password")).toBe(true);
    expect(cs.value.endsWith("@dpg-abc-a.frankfurt-postgres.render.com:5432/ott_prod?sslmode=require")).toBe(true);
    expect(await settle(db.consumerConnectionStrings)).toEqual({ value: {}, secret: true });
  });
});

describe("Database consumers", () => {
  it("gives each consumer its own least-privilege login role and password", async () => {
    const grantOpts: pulumi.CustomResourceOptions[] = [];
    let db!: Database;
    const m = await synthComponent(
      () => {
        ({ db } = renderDatabase("db", { consumers: ["dev", "preview"] }, { transform: { grant: (_a, o) => void grantOpts.push(o) } }));
      },
      { stack: "staging" },
    );
    const roles = byType(m, ROLE).map((r) => r.inputs);
    expect(roles.map((r) => r.name).sort()).toEqual(["ott_staging", "ott_staging_dev", "ott_staging_preview"]);
    for (const r of roles) {
      expect(r.login).toBe(true);
      for (const power of ["superuser", "createDatabase", "createRole", "replication", "bypassRowLevelSecurity"]) {
        expect(r[power], `${r.name}.${power}`).toBeUndefined();
      }
    }
    expect(byType(m, PASSWORD).map((p) => p.name).sort()).toEqual(["db-dev-password", "db-owner-password", "db-preview-password"]);

    const grantsOf = (role: string) =>
      byType(m, GRANT)
        .filter((g) => g.inputs.role === role)
        .map((g) => `${g.inputs.objectType}:${(g.inputs.privileges as string[]).join(",")}`)
        .sort();
    expect(grantsOf("ott_staging_dev")).toEqual(["database:CONNECT", "schema:USAGE", "sequence:USAGE,SELECT", "table:SELECT,INSERT,UPDATE,DELETE"]);
    expect(grantsOf("ott_staging_preview")).toEqual(grantsOf("ott_staging_dev"));
    // The admin keeps CONNECT so the provider can grant table privileges inside the database.
    expect(grantsOf("ott_admin")).toEqual(["database:CONNECT"]);
    expect(grantOpts.length).toBe(byType(m, GRANT).length);
    for (const o of grantOpts) expect(o.deleteBeforeReplace).toBe(true);

    const defaults = byType(m, DEFAULT_PRIVILEGES).map((d) => d.inputs);
    expect(defaults).toHaveLength(4);
    for (const d of defaults) expect(d).toMatchObject({ database: "ott_staging", owner: "ott_staging", schema: "public" });

    const urls = await settle(db.consumerConnectionStrings);
    expect(urls.secret).toBe(true);
    expect(Object.keys(urls.value).sort()).toEqual(["dev", "preview"]);
    expect(urls.value.dev).toMatch(/^postgresql:\/\/ott_staging_dev:fake-db-dev-password-x+@dpg-abc-a[^/]+\/ott_staging\?sslmode=require$/);
    expect(urls.value.preview).toMatch(/^postgresql:\/\/ott_staging_preview:fake-db-preview-password/);
    // Nobody but the owner holds the owner's password.
    const owner = (await settle(db.connectionString)).value;
    const ownerPassword = new URL(owner).password;
    for (const url of Object.values(urls.value)) expect(url).not.toContain(ownerPassword);

    expect(await settle(db.consumers)).toEqual({
      secret: false,
      value: {
        dev: { host: "dpg-abc-a.frankfurt-postgres.render.com", port: 5432, database: "ott_staging", user: "ott_staging_dev" },
        preview: { host: "dpg-abc-a.frankfurt-postgres.render.com", port: 5432, database: "ott_staging", user: "ott_staging_preview" },
      },
    });
  });

  it("runs the database-level grants as the owner and everything else as the admin", async () => {
    const seen: [pulumi.Output<string>, pulumi.ProviderResource][] = [];
    const note = (what: pulumi.Input<string>, o: pulumi.CustomResourceOptions) =>
      void seen.push([pulumi.output(what), o.provider as pulumi.ProviderResource]);
    const m = await synthComponent(
      () =>
        void renderDatabase(
          "db",
          { consumers: ["dev"] },
          {
            transform: {
              grant: (a, o) => note(pulumi.interpolate`grant ${a.role} ${a.objectType}`, o),
              defaultPrivileges: (a, o) => note(pulumi.interpolate`default ${a.objectType}`, o),
              role: (a, o) => note(pulumi.interpolate`role ${a.name!}`, o),
              database: (_a, o) => note("database", o),
            },
          },
        ),
      { stack: "staging" },
    );
    const named: Record<string, string> = {};
    for (const [what, p] of seen) named[(await settle(what)).value] = (await settle(p.urn)).value.split("::").pop()!;
    expect(named).toEqual({
      "role ott_staging": "db-admin",
      "role ott_staging_dev": "db-admin",
      database: "db-admin",
      "grant public database": "db-as-owner",
      "grant ott_admin database": "db-as-owner",
      "grant ott_staging_dev database": "db-as-owner",
      "grant ott_staging_dev schema": "db-admin",
      "grant ott_staging_dev table": "db-admin",
      "grant ott_staging_dev sequence": "db-admin",
      "default table": "db-admin",
      "default sequence": "db-admin",
    });
    expect(byType(m, GRANT)).toHaveLength(6);
  });

  it("runs database-level grants one after another", async () => {
    const m = await synthComponent(() => void renderDatabase("db", { consumers: ["dev", "preview"] }), { stack: "staging" });
    const dbGrants = byType(m, GRANT).filter((g) => g.inputs.objectType === "database");
    expect(dbGrants.map((g) => g.name)).toHaveLength(4);
    // Each database grant but the first depends on exactly one earlier database grant: a chain.
    const urns = new Set(dbGrants.map((g) => g.urn));
    const edges = dbGrants.map((g) => g.dependsOn.filter((d) => urns.has(d)).length);
    expect(edges.sort()).toEqual([0, 1, 1, 1]);
  });

  it("rejects duplicate or clashing consumers before registering anything", async () => {
    const m = await synthComponent(() => {
      expect(() => renderDatabase("a", { consumers: ["dev", "dev"] })).toThrow(/consumer 'dev' is listed twice/);
      expect(() => renderDatabase("b", { consumers: ["Dev"] })).toThrow(/consumer 'Dev'/);
    });
    expect(byType(m, "webstack:index:Database")).toEqual([]);
  });
});

describe("Database protection", () => {
  it("protects and retains the database and every role in production", async () => {
    const m = await synthComponent(() => void renderDatabase("db", { protect: true, consumers: ["dev"] }));
    const stateful = [...byType(m, DATABASE), ...byType(m, ROLE)];
    expect(stateful).toHaveLength(3);
    for (const r of stateful) expect([r.name, r.protect, r.retainOnDelete]).toEqual([r.name, true, true]);
    // Grants follow the data; protecting them would block legitimate privilege changes.
    for (const g of byType(m, GRANT)) expect(g.protect).toBe(false);
    // The component itself is not protected, or protect would leak to every child.
    expect(one(m, "webstack:index:Database").protect).toBe(false);
  });

  it("protects nothing in a preview stack", async () => {
    const m = await synthComponent(() => void renderDatabase("db", { protect: false, consumers: ["dev"] }));
    for (const r of m.resources) expect([r.name, r.protect, r.retainOnDelete]).toEqual([r.name, false, false]);
  });
});

describe("Database secrets", () => {
  it("keeps every connection string secret in the outputs and the synth", async () => {
    const m = await synthComponent(() => {
      const { db } = renderDatabase("db", { consumers: ["dev"] });
      return { connectionString: db.connectionString, consumerConnectionStrings: db.consumerConnectionStrings, user: db.user };
    });
    expect(m.outputs).toEqual({ connectionString: "[secret]", consumerConnectionStrings: "[secret]", user: "ott_test" });
    const text = JSON.stringify(m);
    for (const leak of ["fake-db-", "render-admin-pw", "postgresql://"]) expect(text).not.toContain(leak);
  });
});

describe("pgIdentifier", () => {
  it("joins, lowercases and replaces anything outside [a-z0-9_]", () => {
    expect(pgIdentifier("ott", "pr-42")).toBe("ott_pr_42");
    expect(pgIdentifier("My App", "Prod.EU")).toBe("my_app_prod_eu");
  });
  it("stays within PostgreSQL's 63-byte limit", () => {
    expect(pgIdentifier("a".repeat(40), "b".repeat(40))).toHaveLength(63);
  });
  it("refuses names that cannot start with a letter", () => {
    expect(() => pgIdentifier("42", "x")).toThrow(/cannot derive/);
  });
});

describe("DATABASE_STACK_OUTPUTS", () => {
  it("names the outputs index.ts exports for consumers", () => {
    expect(DATABASE_STACK_OUTPUTS).toEqual({
      environment: "environment",
      consumers: "databaseConsumers",
      consumerConnectionStrings: "databaseConsumerConnectionStrings",
    });
  });
});



describe("Database on a Supabase project", () => {
  it("the owner's connection (what backup and restore use) is the session pooler with '<role>.<ref>', and ipv4: true the direct host", async () => {
    const { databaseServer } = await import("../../components/database-server.js");
    const urls: Record<string, pulumi.Output<string>> = {};
    await synthComponent(() => {
      for (const ipv4 of [false, true]) {
        const server = databaseServer(
          { mode: "isolated", server: "supabase", sslmode: "require", consumers: ["dev"], supabase: { organization: "acme-corp", plan: "pro", region: "us-west-2", ipv4 } },
          { name: (p) => `ott-staging-${p}${ipv4 ? "-v4" : ""}`, production: false, renderOwnerId: "tea-abc123" },
        )!;
        const db = new Database(`db${ipv4 ? "-v4" : ""}`, { app: "ott", stack: "staging", consumers: ["dev"], adminConnection: server.adminConnection, loginSuffix: server.loginSuffix }, { dependsOn: [server.resource] });
        urls[String(ipv4)] = db.connectionString;
      }
    });
    const pooled = new URL((await settle(urls.false!)).value);
    expect([pooled.hostname, pooled.port, pooled.pathname, pooled.searchParams.get("sslmode")]).toEqual(["aws-0-us-west-2.pooler.supabase.com", "5432", "/ott_staging", "require"]);
    expect(pooled.username).toMatch(/^ott_staging\.[a-z]{20}$/);
    const direct = new URL((await settle(urls.true!)).value);
    expect([direct.hostname, direct.port, direct.username]).toEqual([expect.stringMatching(/^db\.[a-z]{20}\.supabase\.co$/), "5432", "ott_staging"]);
  });
});
