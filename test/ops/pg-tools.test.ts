import { describe, expect, it } from "vitest";
import { dumpClient, restoreClient, type PgClient } from "../../ops/pg-tools";
import { skipForeignExtensions } from "../../ops/restore";

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
  });
});
