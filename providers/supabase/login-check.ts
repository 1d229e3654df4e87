/**
 * Signs in once, through Supabase's shared pooler, as each role a stack hands out (`<role>.<ref>`),
 * when the roles or their passwords are new: whether Supavisor lets a custom role in is unconfirmed
 * (reference §5), and so is which database it routes a database other than `postgres` to. A refusal
 * or a wrong database fails `pulumi up` here, saying so and pointing to `ipv4: true`, beside the
 * postgresql provider's own error. A just-created role may take a moment to reach the pooler: a
 * refusal is retried a few times (bounded) before it counts.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Client } from "pg";
import { isPoolerRefusal, poolerLoginOf, poolerRefusalText, poolerRoutingText } from "./pooler";

export interface LoginCheckInputs {
  /** The project's `ref`. */
  projectRef: string;
  /** Connection URLs to sign in with (secret): the owner's and each consumer's. */
  urls: string[];
}

export interface LoginCheckOutputs extends LoginCheckInputs {
  /** The roles that signed in, `<role>@<database>`. */
  checked: string[];
}

export interface LoginCheckOptions {
  /** Sign-ins per role before a refusal counts. Default 4 (SUPABASE_LOGIN_CHECK_ATTEMPTS). */
  attempts?: number;
  /** Wait between them, ms. Default 5 000 (SUPABASE_LOGIN_CHECK_DELAY_MS). */
  delayMs?: number;
  /** Per sign-in bound, ms. Default 15 000. */
  timeoutMs?: number;
}

async function signIn(url: string, timeoutMs: number): Promise<string> {
  const u = new URL(url);
  const mode = u.searchParams.get("sslmode") ?? "require";
  const c = new Client({
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, "")),
    // libpq's meaning: require encrypts without checking the certificate (Supabase's CA is the project's own).
    ssl: mode === "disable" ? false : mode === "verify-full" || mode === "verify-ca" ? {} : { rejectUnauthorized: false },
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: "webstack-login-check",
  });
  try {
    await c.connect();
    return (await c.query("SELECT current_database() AS d")).rows[0].d as string;
  } finally {
    await c.end().catch(() => undefined);
  }
}

export function createLoginCheckProvider(options: LoginCheckOptions = {}): pulumi.dynamic.ResourceProvider {
  const num = (v: string | undefined, d: number) => (v !== undefined && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : d);
  const attempts = () => Math.max(1, options.attempts ?? num(process.env.SUPABASE_LOGIN_CHECK_ATTEMPTS, 4));
  const delayMs = () => options.delayMs ?? num(process.env.SUPABASE_LOGIN_CHECK_DELAY_MS, 5_000);

  async function check(inputs: LoginCheckInputs): Promise<LoginCheckOutputs> {
    const checked: string[] = [];
    for (const url of inputs.urls) {
      const login = poolerLoginOf(url, inputs.projectRef);
      const u = new URL(url);
      const who = login ? `${login.role}.${login.ref}` : decodeURIComponent(u.username);
      const wanted = decodeURIComponent(u.pathname.replace(/^\//, ""));
      let landed: string | undefined;
      for (let attempt = 1; ; attempt++) {
        try {
          landed = await signIn(url, options.timeoutMs ?? 15_000);
          break;
        } catch (err) {
          const said = (err as Error).message;
          if (login && isPoolerRefusal(said)) {
            if (attempt < attempts()) {
              await new Promise((r) => setTimeout(r, delayMs()));
              continue;
            }
            throw new Error(poolerRefusalText(login, said));
          }
          throw new Error(`signing in as ${who} at ${u.hostname}:${u.port || 5432} failed: ${said}`);
        }
      }
      if (landed !== wanted) {
        throw new Error(login ? poolerRoutingText(login, wanted, landed) : `${who} asked for database '${wanted}' and was put in '${landed}'`);
      }
      checked.push(`${login?.role ?? who}@${landed}`);
    }
    return { ...inputs, checked };
  }

  return {
    async create(inputs: LoginCheckInputs) {
      return { id: `login-check-${inputs.projectRef}`, outs: await check(inputs) };
    },
    async diff(_id, olds: LoginCheckOutputs, news: LoginCheckInputs) {
      const changes = olds.projectRef !== news.projectRef || JSON.stringify(olds.urls) !== JSON.stringify(news.urls);
      return { changes };
    },
    async update(_id, _olds, news: LoginCheckInputs) {
      return { outs: await check(news) };
    },
    // Nothing exists outside state: deleting it changes nothing.
    async delete() {},
  };
}
