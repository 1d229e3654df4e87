import { Client } from "pg";
import { describe, expect, it } from "vitest";
import { encodeUrlPart, postgresUrl } from "../../components/connection-string";

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
