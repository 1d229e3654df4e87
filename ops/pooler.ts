/**
 * What a day-2 command says when Supabase's shared pooler refuses it, or puts it in another
 * database than the connection names (the texts: providers/supabase/pooler.ts).
 */
import type { StackOutputs } from "../components/stack-outputs";
import { isPoolerRefusal, poolerLoginOf, poolerRefusalText, poolerRoutingText } from "../providers/supabase/pooler";
import { OpsError } from "./errors";

/** The Supabase pooler login in a connection string (`<role>.<ref>` on a stack whose outputs name the project), if it is one. */
export function poolerLogin(o: StackOutputs, url: string): { role: string; ref: string; host: string } | undefined {
  return poolerLoginOf(url, o.supabaseProjectRef);
}

/** A client tool's failure, explained when it is the pooler refusing the login; undefined otherwise. */
export function poolerRefusal(o: StackOutputs, url: string, err: Error, what: string): OpsError | undefined {
  const login = poolerLogin(o, url);
  if (!login || !isPoolerRefusal(err.message)) return undefined;
  const said = /FATAL:\s+(.+?)(?:\s+\||$)/.exec(err.message)?.[1] ?? err.message;
  return new OpsError(`${what}: ${poolerRefusalText(login, said)}`);
}

/** Refuses to go on in a database other than the one the connection names (a pooler's routing). */
export function checkDatabase(o: StackOutputs, url: string, landed: string, wanted: string, what: string): void {
  if (landed === wanted) return;
  const login = poolerLogin(o, url);
  throw new OpsError(
    `${what}: ` +
      (login
        ? poolerRoutingText(login, wanted, landed)
        : `the connection names database '${wanted}' but the server put it in '${landed}'; nothing was done. A pooler in between may route by user only: connect to the server directly.`),
  );
}
