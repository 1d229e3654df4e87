/**
 * Supabase's shared pooler (Supavisor) refusing a login, or putting it in another database than it
 * asked for: one explanation for `pulumi up` (login-check.ts) and the day-2 commands (ops/pooler.ts).
 * Supavisor's refusals (supabase/supavisor `lib/supavisor/errors/*`, sent as FATAL):
 * `(ENOTFOUND) tenant/user <user>.<ref> not found`, `(ETENANTNOTFOUND) tenant or user not found`
 * (older servers: `Tenant or user not found`), `(EAUTHQUERY) user not found in the database`,
 * `(ENOIDENTIFIER) no tenant identifier provided`, and 28P01 `password authentication failed for
 * user "…"`. Whether every custom LOGIN role can sign in through it, and where it routes a database
 * other than `postgres`, are unconfirmed (reference §5): either way the way out is the direct host.
 */

const REFUSALS = [
  /tenant or user not found/i,
  /tenant\/user \S+ not found/i,
  /user not found/i,
  /no tenant identifier provided/i,
  /password authentication failed for user/i,
  /Authentication error/i,
];

export const IPV4_WAY_OUT =
  "set webstack:database.supabase.ipv4: true (the IPv4 add-on, $4/month) so the stack's roles connect through the project's direct host, run `pulumi up`, then run this again";

/** Whether a failure's text is one of Supavisor's refusals. */
export function isPoolerRefusal(text: string): boolean {
  return REFUSALS.some((r) => r.test(text));
}

/** The pooler refused `<role>.<ref>`: what it said, why that may be, and the way out. */
export function poolerRefusalText(login: { role: string; ref: string; host: string }, said: string): string {
  const why =
    login.role === "postgres"
      ? "Check that the project is active (webstack status) and that its password is the one in the outputs; if it still refuses, "
      : `Whether a custom role such as ${login.role} can sign in through the shared pooler is unconfirmed (the direct host accepts it): `;
  return `the Supabase shared pooler (Supavisor, ${login.host}) refused ${login.role}.${login.ref}: ${said}. ${why}${IPV4_WAY_OUT}`;
}

/** The pooler put `<role>.<ref>` in another database than the connection names. */
export function poolerRoutingText(login: { role: string; ref: string }, wanted: string, landed: string): string {
  return (
    `the connection names database '${wanted}' but the server put it in '${landed}'; nothing was done. ` +
    `The Supabase shared pooler routes ${login.role}.${login.ref} to one database, and which one for a database other than 'postgres' is unconfirmed: ${IPV4_WAY_OUT}`
  );
}

/** `<role>.<ref>` in a connection URL, when the URL signs in through the pooler of project `ref`. */
export function poolerLoginOf(url: string, ref: string | undefined): { role: string; ref: string; host: string; database: string } | undefined {
  if (!ref) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const user = decodeURIComponent(u.username);
  if (!user.endsWith(`.${ref}`)) return undefined;
  return { role: user.slice(0, -ref.length - 1), ref, host: u.hostname, database: decodeURIComponent(u.pathname.replace(/^\//, "")) };
}
