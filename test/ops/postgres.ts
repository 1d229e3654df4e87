// A throwaway PostgreSQL server for a test file (Debian's binaries, as .ci/run installs them):
// TCP logins check passwords, the unix socket lets the test administer as the superuser.
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { asServerUser, freePort, postgresBin } from "../servers";

export interface Postgres {
  port: number;
  /** A superuser client over the unix socket, connected to `database`. */
  admin(database?: string): Promise<Client>;
  stop(): void;
}

export async function startPostgres(): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), "webstack-ops-pg-"));
  if (process.getuid?.() === 0) {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }));
    chownSync(dir, id("-u"), id("-g"));
  }
  const data = join(dir, "data");
  writeFileSync(join(dir, "pw"), "superuser-unused\n", { mode: 0o644 });
  asServerUser(postgresBin("initdb"), ["-D", data, "-U", "postgres", "--pwfile", join(dir, "pw"), "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]);
  const port = await freePort();
  const pgCtl = postgresBin("pg_ctl");
  asServerUser(pgCtl, ["-D", data, "-w", "-l", join(dir, "server.log"), "-o", `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=off`, "start"]);
  return {
    port,
    async admin(database = "postgres") {
      const c = new Client({ host: dir, port, user: "postgres", database });
      await c.connect();
      return c;
    },
    stop() {
      if (existsSync(join(data, "postmaster.pid"))) asServerUser(pgCtl, ["-D", data, "-m", "fast", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
