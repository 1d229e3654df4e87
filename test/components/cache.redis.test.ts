// Against a real Redis server (Debian's redis-server, started here): the REDIS_URL the Cache
// component builds from Render's connection info must reach the server with a password holding
// every URL-reserved character, and stacks sharing one instance must not see each other's keys.
// The client is node-redis's core (@redis/client): its URL decoding is what applications get.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import { createClient } from "@redis/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cache } from "../../components/cache";
import { settle } from "../harness";
import { freePort, hostilePassword, SETUP_HINT, URL_RESERVED } from "../servers";

// Every URL-reserved character, and a quote.
const RESERVED = `${URL_RESERVED}"`;
const SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const USER = "red-test0000emul8tor";

/** Missing binaries fail the suite, never skip it. */
function redisServerBin(): string {
  try {
    return execFileSync("sh", ["-c", "command -v redis-server || ls /usr/bin/redis-server"], { encoding: "utf8" }).trim().split("\n")[0]!;
  } catch {
    throw new Error(`redis-server not found: these tests start a throwaway server; ${SETUP_HINT}.`);
  }
}

let server: ChildProcess | undefined;
let port = 0;
const password = hostilePassword(RESERVED);
/** The connection info as a careless server might write it: the password not encoded at all. */
const rawUrl = () => `redis://${USER}:${password}@127.0.0.1:${port}`;

beforeAll(async () => {
  port = await freePort();
  server = spawn(redisServerBin(), ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  await new Promise<void>((ok, fail) => {
    server!.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("Ready to accept connections")) ok();
    });
    server!.once("exit", (code) => fail(new Error(`redis-server exited (${code}):\n${out}`)));
  });
  // The instance's user, as Render's external connection has it; the default user is switched off.
  const admin = createClient({ socket: { host: "127.0.0.1", port } });
  await admin.connect();
  await admin.sendCommand(["ACL", "SETUSER", USER, "on", `>${password}`, "~*", "&*", "+@all"]);
  await admin.sendCommand(["ACL", "SETUSER", "default", "off"]);
  admin.destroy();
});

afterAll(() => {
  server?.kill();
});

/** Mocks in which Render's Key Value and the owner stack hand out this server's connection info. */
function mocks(ownerUrl: string): pulumi.runtime.Mocks {
  return {
    newResource(a) {
      if (a.type === "pulumi:pulumi:StackReference") {
        return {
          id: a.inputs.name,
          state: { name: a.inputs.name, outputs: { environment: "staging", cacheId: "red-owner", cacheConnectionString: ownerUrl }, secretOutputNames: ["cacheConnectionString"] },
        };
      }
      if (a.type === "pulumi-nodejs:dynamic/render:KeyValue") {
        return {
          id: "red-owner",
          state: { ...a.inputs, internalConnectionString: { ...SIG, value: rawUrl() }, externalConnectionString: { ...SIG, value: `rediss://${USER}:x@h:6377` } },
        };
      }
      return { id: a.custom ? `${a.name}-id` : undefined, state: a.inputs };
    },
    call: (a) => a.inputs,
  };
}

/** A Cache built in `stack`, as index.ts builds it there; returns its REDIS_URL and prefix. */
async function cacheIn(stack: string, args: ConstructorParameters<typeof Cache>[1], ownerUrl = ""): Promise<{ url: string; secret: boolean; prefix: string }> {
  await pulumi.runtime.setMocks(mocks(ownerUrl), "webstack", stack, false, "acme");
  const cache = new Cache("cache", args);
  const { value, secret } = await settle(cache.connectionString);
  // Drained before the next stack's mocks replace this one's monitor.
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  return { url: value, secret, prefix: cache.keyPrefix };
}

const clientFor = (url: string) => createClient({ url });

async function withClient<T>(url: string, fn: (c: ReturnType<typeof clientFor>) => Promise<T>): Promise<T> {
  const c = clientFor(url);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}

const OWN = { ownerId: "tea-abc123", name: "ott-staging-cache", region: "frankfurt" };

describe("Cache against a real Redis server", () => {
  it("builds a REDIS_URL that a client decodes to the exact password, from connection info that was not encoded", async () => {
    // The raw form is not a usable URL: a parser reads another password out of it (or none).
    const naive = (() => {
      try {
        return decodeURIComponent(new URL(rawUrl()).password);
      } catch {
        return undefined;
      }
    })();
    expect(naive).not.toBe(password);

    const { url, secret, prefix } = await cacheIn("staging", OWN);
    expect(secret).toBe(true);
    expect(prefix).toBe("staging:");
    expect(url).toMatch(new RegExp(`^redis://${USER}:[A-Za-z0-9%._~-]+@127\\.0\\.0\\.1:${port}$`));
    expect(await withClient(url, (c) => c.sendCommand(["ACL", "WHOAMI"]))).toBe(USER);
    // And a wrong password is refused, so the check above means something.
    await expect(withClient(url.replace(/:[^:@]+@/, ":wrong@"), (c) => c.ping())).rejects.toThrow(/WRONGPASS|invalid username-password/i);
  });

  it("gives every stack sharing the instance its own prefix, and no stack sees another's keys", async () => {
    const owner = await cacheIn("staging", OWN);
    const consumers = [];
    for (const stack of ["dev", "pr-1", "pr-10"]) consumers.push({ stack, ...(await cacheIn(stack, { from: "acme/webstack/staging" }, owner.url)) });
    const all = [{ stack: "staging", ...owner }, ...consumers];
    expect(all.map((c) => c.prefix)).toEqual(["staging:", "dev:", "pr-1:", "pr-10:"]);
    for (const c of consumers) expect([c.url, c.secret]).toEqual([owner.url, true]);
    // No prefix starts another: `pr-1:` is not a prefix of `pr-10:`.
    for (const a of all) for (const b of all) if (a !== b) expect(b.prefix.startsWith(a.prefix)).toBe(false);

    for (const c of all) await withClient(c.url, (r) => r.set(`${c.prefix}session:42`, `${c.stack}'s session`));
    for (const c of all) {
      await withClient(c.url, async (r) => {
        expect(await r.get(`${c.prefix}session:42`)).toBe(`${c.stack}'s session`);
        const seen: string[] = [];
        for await (const keys of r.scanIterator({ MATCH: `${c.prefix}*`, COUNT: 100 })) seen.push(...keys);
        expect(seen).toEqual([`${c.prefix}session:42`]);
      });
    }
  });
});
