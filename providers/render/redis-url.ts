/**
 * Reads a Redis connection URL the way Render hands it out (`redis://red-…:6379` inside its
 * network, `rediss://red-…:<password>@<region>-keyvalue.render.com:6377` outside). Pure, so the
 * Key Value provider bundle and the `Cache` component share it.
 */

/** What a `redis://` or `rediss://` URL carries. */
export interface RedisUrlParts {
  /** `rediss://`: TLS, as Render's external connections require. */
  tls: boolean;
  host: string;
  port: number;
  /** ACL user (Render's is the instance id), if any. */
  username?: string;
  password?: string;
  /** Logical database number, if the URL names one. */
  db?: number;
}

/** Whether `s` is already percent-encoded userinfo: only unreserved, sub-delims and valid `%XX`. */
function looksEncoded(s: string): boolean {
  return /^([A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/.test(s);
}

function decodePart(s: string): string {
  return looksEncoded(s) ? decodeURIComponent(s) : s;
}

/**
 * Splits a Redis URL into its parts. The userinfo ends at the last `@`, so a password that a
 * server wrote without percent-encoding (`p@ss/w:rd`) still reads right; an encoded one is decoded.
 * The default port is 6379. Throws on anything that is not a Redis URL, without echoing it (it may
 * hold a password).
 */
export function parseRedisUrl(url: string): RedisUrlParts {
  const m = /^(rediss?):\/\/(?:(.*)@)?(\[[0-9A-Fa-f:.]+\]|[^:/@[\]]+)(?::(\d+))?(?:\/(\d*))?$/.exec(url ?? "");
  if (!m) throw new Error("not a redis:// or rediss:// URL of the form redis://[user:password@]host[:port][/db]");
  const [, scheme, userinfo, host, port, db] = m;
  const parts: RedisUrlParts = { tls: scheme === "rediss", host: host!.replace(/^\[|\]$/g, ""), port: port ? Number(port) : 6379 };
  if (!(parts.port >= 1 && parts.port <= 65535)) throw new Error(`port ${port} is out of range`);
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(":");
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (user) parts.username = decodePart(user);
    if (colon >= 0) parts.password = decodePart(userinfo.slice(colon + 1));
  }
  if (db) parts.db = Number(db);
  return parts;
}
