/**
 * What a day-2 command says when Supabase's shared pooler (Supavisor) refuses it, or puts it in
 * another database than the connection names. Supavisor's refusals (supabase/supavisor
 * `lib/supavisor/errors/*`, sent as FATAL): `(ENOTFOUND) tenant/user <user>.<ref> not found`,
 * `(ETENANTNOTFOUND) tenant or user not found` (older servers: `Tenant or user not found`),
 * `(EAUTHQUERY) user not found in the database`, `(ENOIDENTIFIER) no tenant identifier provided`,
 * and 28P01 `password authentication failed for user "…"`. Whether every custom LOGIN role can sign
 * in through it, and which database it routes a role's other databases to, are unconfirmed
 * (reference §5): either way the way out is the direct host, with the IPv4 add-on.
 */
import type { StackOutputs } from "../components/stack-outputs";
import { OpsError } from "./errors";

const REFUSALS = [
  /tenant or user not found/i,
  /tenant\/user \S+ not found/i,
  /user not found/i,
  /no tenant identifier provided/i,
  /password authentication failed for user/i,
  /Authentication error/i,
];

const IPV4 =
  "set webstack:database.supabase.ipv4: true (the IPv4 add-on, $4/month) so the stack's roles connect through the project's direct host, run `pulumi up`, then run this again";

/** The Supabase pooler login in a connection string (`<role>.<ref>` on a stack whose outputs name the project), if it is one. */
export function poolerLogin(o: StackOutputs, url: string): { role: string; ref: string; host: string } | undefined {
  const ref = o.supabaseProjectRef;
  if (!ref) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const user = decodeURIComponent(u.username);
  if (!user.endsWith(`.${ref}`)) return undefined;
  return { role: user.slice(0, -ref.length - 1), ref, host: u.hostname };
}

/** A client tool's failure, explained when it is the pooler refusing the login; undefined otherwise. */
export function poolerRefusal(o: StackOutputs, url: string, err: Error, what: string): OpsError | undefined {
  const login = poolerLogin(o, url);
  if (!login || !REFUSALS.some((r) => r.test(err.message))) return undefined;
  const said = /FATAL:\s+(.+?)(?:\s+\||$)/.exec(err.message)?.[1] ?? err.message;
  const why =
    login.role === "postgres"
      ? "Check that the project is active (webstack status) and that its password is the one in the outputs; if it still refuses, "
      : `Whether a custom role such as ${login.role} can sign in through the shared pooler is unconfirmed (the direct host accepts it): `;
  return new OpsError(`${what}: the Supabase shared pooler (Supavisor, ${login.host}) refused ${login.role}.${login.ref}: ${said}. ${why}${IPV4}`);
}

/** Refuses to go on in a database other than the one the connection names (a pooler's routing). */
export function checkDatabase(o: StackOutputs, url: string, landed: string, wanted: string, what: string): void {
  if (landed === wanted) return;
  const login = poolerLogin(o, url);
  throw new OpsError(
    `${what}: the connection names database '${wanted}' but the server put it in '${landed}'; nothing was done. ` +
      (login
        ? `The Supabase shared pooler routes ${login.role}.${login.ref} to one database, and which one for a database other than 'postgres' is unconfirmed: ${IPV4}`
        : "A pooler in between may route by user only: connect to the server directly."),
  );
}
