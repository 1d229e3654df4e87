import { describe, expect, it } from "vitest";
import { dumpClient, restoreClient, type PgClient } from "../../ops/pg-tools";
import { skipForeignExtensions } from "../../ops/restore";
import { poolerRefusal } from "../../ops/pooler";
import type { StackOutputs } from "../../components/stack-outputs";

// Which client a server gets, for majors this machine cannot install (Debian 12 has only 15):
// backup-restore.pg.test.ts runs every pair that is installed against real servers.
const c = (major: number): PgClient => ({ major, version: `${major}.2`, pgDump: `/pg${major}/pg_dump`, pgRestore: `/pg${major}/pg_restore`, psql: `/pg${major}/psql` });

describe("pg_dump by the server's major", () => {
  it("takes the server's own major, else the oldest newer one", () => {
    expect(dumpClient(16, [c(17), c(16), c(15)]).major).toBe(16);
    expect(dumpClient(16, [c(18), c(17)]).major).toBe(17);
  });
  it("refuses when every pg_dump is older than the server, naming the package", () => {
    expect(() => dumpClient(16, [c(15)])).toThrow(
      "pg_dump: the database runs PostgreSQL 16 and pg_dump must be 16 or newer (installed: 15.2); install postgresql-client-16 (apt.postgresql.org), or set WEBSTACK_PG_BIN to the folder holding its pg_dump and pg_restore",
    );
    expect(() => dumpClient(16, [])).toThrow(/installed: none/);
  });
});

describe("pg_restore by the archive and the server", () => {
  it("never sends a 17+ pg_restore (SET transaction_timeout) to a server before 17", () => {
    expect(restoreClient(16, 16, [c(17), c(16)]).major).toBe(16);
    expect(restoreClient(16, 15, [c(17), c(15)]).major).toBe(15);
    expect(() => restoreClient(16, 16, [c(17)])).toThrow(
      "pg_restore: the database runs PostgreSQL 16, which rejects the SET transaction_timeout that pg_restore 17.2 sends; install postgresql-client-16 (apt.postgresql.org), or set WEBSTACK_PG_BIN to the folder holding its pg_dump and pg_restore",
    );
    // An archive of pg_dump 17 can only be read by 17+, which a 16 server refuses: say so.
    expect(() => restoreClient(16, 17, [c(17), c(16)])).toThrow(/archive \(pg_dump 17\) needs pg_restore 17 or newer: restore it into a PostgreSQL 17\+ server, or take the backup with pg_dump 16/);
    expect(restoreClient(17, 16, [c(17)]).major).toBe(17);
  });
  it("refuses an archive newer than every pg_restore", () => {
    expect(() => restoreClient(16, 16, [c(15)])).toThrow("pg_restore: the archive was written by pg_dump 16, which pg_restore 15.2 cannot read; install postgresql-client-16");
  });
  it("prefers the server's own major among the ones that fit", () => {
    expect(restoreClient(17, 15, [c(15), c(16), c(17)]).major).toBe(17);
  });
});

describe("objects another role owns", () => {
  it("skips the extension's entry and its comment, nothing else", () => {
    const toc = [
      ";     Dumped by pg_dump version: 15.20",
      "2; 3079 16390 EXTENSION - pg_trgm ",
      "3700; 0 0 COMMENT - EXTENSION pg_trgm ",
      "4; 3079 16400 EXTENSION - citext ",
      "216; 1259 16476 TABLE public tickets ott_staging",
      "3550; 1259 16490 INDEX public tickets_title_trgm ott_staging",
    ];
    expect(skipForeignExtensions(toc, new Set(["pg_trgm"]))).toEqual({ kept: [toc[0], toc[3], toc[4], toc[5]], skipped: [toc[1], toc[2]] });
    // Supabase: supabase_admin's schema `extensions`, not an extension of that name.
    const sb = ["5; 2615 16390 SCHEMA - extensions supabase_admin", "3701; 0 0 COMMENT - SCHEMA extensions supabase_admin", "6; 3079 16391 EXTENSION - pgcrypto ", "7; 3079 16392 EXTENSION - extensions "];
    expect(skipForeignExtensions(sb, new Set(["pgcrypto"]), new Set(["extensions"]))).toEqual({ kept: [sb[3]], skipped: [sb[0], sb[1], sb[2]] });
  });
});

describe("Supabase's shared pooler refusing a login", () => {
  const REF = "abcdefghijklmnopqrst";
  const o = { environment: "staging", supabaseProjectRef: REF } as StackOutputs;
  const url = (user: string) => `postgresql://${user}.${REF}:pw@aws-1-us-west-2.pooler.supabase.com:5432/ott_staging?sslmode=require`;
  const failed = (said: string) => new Error(`psql exited with 2: psql: error: connection to server at "aws-1-us-west-2.pooler.supabase.com" (3.1.2.3), port 5432 failed: FATAL:  ${said}`);
  it("names each of Supavisor's refusals, says a custom role may be the cause, and points to ipv4: true", () => {
    for (const said of [
      `(ENOTFOUND) tenant/user ott_staging.${REF} not found`,
      "(ETENANTNOTFOUND) tenant or user not found",
      "Tenant or user not found",
      "(EAUTHQUERY) user not found in the database",
      "(ENOIDENTIFIER) no tenant identifier provided (external_id or sni_hostname required)",
      'password authentication failed for user "ott_staging"',
    ]) {
      const e = poolerRefusal(o, url("ott_staging"), failed(said), "backup staging");
      expect(e?.message, said).toBe(
        `backup staging: the Supabase shared pooler (Supavisor, aws-1-us-west-2.pooler.supabase.com) refused ott_staging.${REF}: ${said}. Whether a custom role such as ott_staging ` +
          "can sign in through the shared pooler is unconfirmed (the direct host accepts it): set webstack:database.supabase.ipv4: true (the IPv4 add-on, $4/month) so the " +
          "stack's roles connect through the project's direct host, run `pulumi up`, then run this again",
      );
    }
    expect(poolerRefusal(o, url("postgres"), failed("Tenant or user not found"), "backup staging")?.message).toContain("refused postgres.abcdefghijklmnopqrst: Tenant or user not found. Check that the project is active");
    // Not through the pooler (ipv4: true, Render), or not a refusal: the tool's own message stands.
    expect(poolerRefusal(o, "postgresql://ott_staging:pw@db.x.supabase.co:5432/ott_staging", failed("Tenant or user not found"), "backup")).toBeUndefined();
    expect(poolerRefusal({ environment: "staging" } as StackOutputs, url("ott_staging"), failed("Tenant or user not found"), "backup")).toBeUndefined();
    expect(poolerRefusal(o, url("ott_staging"), failed('database "ott_staging" does not exist'), "backup")).toBeUndefined();
  });
});
