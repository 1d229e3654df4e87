import { RedisClient } from "@redis/client";
import fc from "fast-check";
import { Client } from "pg";
import { describe, expect, it } from "vitest";
import { encodeUrlPart, postgresUrl, redisUrl } from "../../components/connection-string";
import { parseRedisUrl } from "../../providers/render/redis-url";

const RESERVED = ":/?#[]@!$&'()*+,;=% ";

describe("postgresUrl", () => {
  it("builds a postgresql:// URL with the sslmode query parameter", () => {
    expect(
      postgresUrl({ host: "db.example.com", port: 5432, database: "ott_prod", user: "ott_prod", password: "abc123", sslmode: "require" }),
    ).toBe("postgresql://ott_prod:abc123@db.example.com:5432/ott_prod?sslmode=require");
  });

  it("omits the query without an sslmode and accepts a string port", () => {
    expect(postgresUrl({ host: "h", port: "6543", database: "d", user: "u", password: "p" })).toBe("postgresql://u:p@h:6543/d");
  });

  it("percent-encodes every URL-reserved character in user, password and database", () => {
    const url = postgresUrl({ host: "h", port: 5432, database: `db ${RESERVED}`, user: `u@${RESERVED}`, password: RESERVED, sslmode: "disable" });
    // Nothing reserved is left between the scheme and the host but the two delimiters.
    const userinfo = url.slice("postgresql://".length, url.lastIndexOf("@h:"));
    expect(userinfo.split(":")).toHaveLength(2);
    expect(userinfo).toMatch(/^[A-Za-z0-9%._~-]+:[A-Za-z0-9%._~-]+$/);
    expect(url.slice(url.indexOf("5432/") + 5, url.indexOf("?"))).toMatch(/^[A-Za-z0-9%._~-]+$/);
    // libpq-style readers decode it all back.
    const u = new URL(url);
    expect(decodeURIComponent(u.pathname.slice(1))).toBe(`db ${RESERVED}`);
    expect(u.searchParams.get("sslmode")).toBe("disable");
  });

  it("gives node-postgres's parser the original user and password back", () => {
    // A Client parses its connectionString in the constructor and never connects here.
    const parsed = new Client(postgresUrl({ host: "h", port: 5432, database: "ott_staging", user: `u@${RESERVED}`, password: RESERVED, sslmode: "disable" }));
    expect(parsed.user).toBe(`u@${RESERVED}`);
    expect(parsed.password).toBe(RESERVED);
    // node-postgres decodes the path with decodeURI, which keeps %3A etc.; the
    // component's database names are [a-z0-9_] identifiers, which need no decoding.
    expect(parsed.database).toBe("ott_staging");
    expect(parsed.host).toBe("h");
    expect(parsed.port).toBe(5432);
  });

  it("round-trips through WHATWG URL for arbitrary strings", () => {
    for (const s of ["p@ss:w/rd", "100%", "it's (fine)*!", "ü-ñ-😀", "a+b=c&d"]) {
      const u = new URL(postgresUrl({ host: "h", port: 1, database: s, user: s, password: s }));
      expect(decodeURIComponent(u.username)).toBe(s);
      expect(decodeURIComponent(u.password)).toBe(s);
      expect(decodeURIComponent(u.pathname.slice(1))).toBe(s);
    }
  });

  it("brackets IPv6 hosts", () => {
    expect(postgresUrl({ host: "::1", port: 5432, database: "d", user: "u", password: "p" })).toBe("postgresql://u:p@[::1]:5432/d");
  });

  it("rejects an empty host or a bad port", () => {
    expect(() => postgresUrl({ host: "", port: 5432, database: "d", user: "u", password: "p" })).toThrow(/host is empty/);
    expect(() => postgresUrl({ host: "h", port: "x", database: "d", user: "u", password: "p" })).toThrow(/invalid port 'x'/);
  });
});

describe("encodeUrlPart", () => {
  it("leaves only unreserved characters unencoded", () => {
    expect(encodeUrlPart("AZaz09-._~")).toBe("AZaz09-._~");
    expect(encodeUrlPart("!'()*")).toBe("%21%27%28%29%2A");
    expect(encodeUrlPart(" %")).toBe("%20%25");
  });
});

describe("redisUrl and parseRedisUrl", () => {
  it("build and read Render's shapes", () => {
    expect(parseRedisUrl("redis://red-abc123:6379")).toEqual({ tls: false, host: "red-abc123", port: 6379 });
    expect(parseRedisUrl("rediss://red-abc123:s3cret@frankfurt-keyvalue.render.com:6377")).toEqual({
      tls: true,
      host: "frankfurt-keyvalue.render.com",
      port: 6377,
      username: "red-abc123",
      password: "s3cret",
    });
    expect(redisUrl({ tls: true, host: "h", port: 6377, username: "red-1", password: RESERVED, db: 2 })).toBe(
      `rediss://red-1:${encodeUrlPart(RESERVED)}@h:6377/2`,
    );
    expect(redisUrl({ tls: false, host: "::1", port: 6379, password: "p" })).toBe("redis://:p@[::1]:6379");
  });

  it("round-trip any user and password, encoded or written raw, and node-redis reads the same parts", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.boolean(), (user, password, tls) => {
        const parts = { tls, host: "cache.internal", port: 6380, username: user, password };
        const url = redisUrl(parts);
        expect(parseRedisUrl(url)).toEqual(parts);
        const seen = RedisClient.parseURL(url) as { username?: string; password?: string; socket: { host: string; port: number; tls: boolean } };
        expect([seen.username, seen.password ?? "", seen.socket]).toEqual([user, password, { host: "cache.internal", port: 6380, tls }]);
      }),
    );
    // Raw (not encoded) reserved characters: the userinfo ends at the last '@'.
    expect(parseRedisUrl(`redis://red-1:${RESERVED}x@10.0.0.5:6379`)).toMatchObject({ username: "red-1", password: `${RESERVED}x`, host: "10.0.0.5" });
  });

  it("refuse what is not a Redis URL without echoing it", () => {
    expect(() => parseRedisUrl("postgresql://u:secretpw@h/db")).toThrow(/^not a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => parseRedisUrl("postgresql://u:secretpw@h/db")).not.toThrow(/secretpw/);
    expect(() => redisUrl({ tls: false, host: "", port: 1 })).toThrow(/host is empty/);
  });
});
