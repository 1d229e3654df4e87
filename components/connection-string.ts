import type { RedisUrlParts } from "../providers/render/redis-url";

export type { RedisUrlParts } from "../providers/render/redis-url";

/** What a PostgreSQL connection URL carries. */
export interface PostgresUrlParts {
  host: string;
  port: number | string;
  database: string;
  user: string;
  password: string;
  /** libpq `sslmode`, e.g. "require"; omitted from the URL when undefined. */
  sslmode?: string;
}

/**
 * Percent-encodes every character outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`).
 * `encodeURIComponent` leaves `!'()*` alone; they are legal in userinfo, but some parsers
 * (and humans pasting into shells) trip on them, so they are encoded too.
 */
export function encodeUrlPart(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `postgresql://user:password@host:port/database?sslmode=…`, with user, password and database
 * percent-encoded so any generated password works with libpq, node-postgres and friends.
 * An IPv6 host is bracketed.
 */
export function postgresUrl(p: PostgresUrlParts): string {
  if (!p.host) throw new Error("postgresUrl: host is empty");
  const port = Number(p.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`postgresUrl: invalid port '${p.port}'`);
  const host = p.host.includes(":") && !p.host.startsWith("[") ? `[${p.host}]` : p.host;
  const query = p.sslmode ? `?sslmode=${encodeUrlPart(p.sslmode)}` : "";
  return `postgresql://${encodeUrlPart(p.user)}:${encodeUrlPart(p.password)}@${host}:${port}/${encodeUrlPart(p.database)}${query}`;
}


/**
 * `redis://user:password@host:port/db` (`rediss://` with TLS), with user and password
 * percent-encoded so a password holding `@ : / # ?` or `%` survives every client that decodes
 * userinfo (node-redis, ioredis, redis-py). A password without a user is sent as `:password@`
 * (AUTH with the default user). An IPv6 host is bracketed.
 */
export function redisUrl(p: RedisUrlParts): string {
  if (!p.host) throw new Error("redisUrl: host is empty");
  const port = Number(p.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`redisUrl: invalid port '${p.port}'`);
  if (p.db !== undefined && !(Number.isInteger(p.db) && p.db >= 0)) throw new Error(`redisUrl: invalid database '${p.db}'`);
  const host = p.host.includes(":") && !p.host.startsWith("[") ? `[${p.host}]` : p.host;
  const user = p.username ? encodeUrlPart(p.username) : "";
  const auth = p.password !== undefined ? `${user}:${encodeUrlPart(p.password)}@` : user ? `${user}@` : "";
  return `${p.tls ? "rediss" : "redis"}://${auth}${host}:${port}${p.db !== undefined ? `/${p.db}` : ""}`;
}
