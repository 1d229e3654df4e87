/**
 * What every REST dynamic provider does the same way: a client configured from the stack's secret
 * config, reads and deletes where a 404 means gone, creates that never leave a duplicate behind,
 * errors that name the resource and keep a partial create's id, bounded waits, results without
 * `undefined`, and inputs still unknown at preview. Bundled into state like rest.ts: globals only.
 */
import { isApiError, type RequestOptions, type RestClient } from "./rest";

/** Pulumi's marker for an input not known yet (during preview); `check` must let it pass. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether a value is set and known (not `undefined`, not the preview's unknown marker). */
export const known = (v: unknown): boolean => v !== undefined && v !== UNKNOWN;

/** Whether the value holds the unknown marker at any depth (a preview input computed from another resource). */
export function hasUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(hasUnknown);
  if (v && typeof v === "object") return Object.values(v).some(hasUnknown);
  return false;
}

/** A string value of the stack config Pulumi's dynamic-provider host hands to `configure` (secrets decrypted), trimmed. */
export function stringFromConfig(config: { get(key: string): unknown }, key: string): string | undefined {
  const value = config.get(key);
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

/**
 * A client factory and the `configure` that feeds it the stack's key (`render:apiKey`,
 * `supabase:accessToken`, …). The key is held in a closure filled in the provider host, after the
 * provider was bundled into state, so it never reaches state.
 */
export function configurableClient<C, O extends { apiKey?: string }>(
  make: (options: O) => C,
  configKey: string,
  options: O,
): { client: () => C; configure: (req: { config: { get(key: string): unknown } }) => Promise<void> } {
  const auth: { apiKey?: string } = {};
  return {
    client: () => make({ ...options, apiKey: options.apiKey ?? auth.apiKey }),
    configure: async (req) => {
      auth.apiKey = stringFromConfig(req.config, configKey);
    },
  };
}

/** GET that reads a 404 as "gone" (deleted outside Pulumi, or its parent is). */
export async function getOrGone<T = any>(client: RestClient, path: string, query?: RequestOptions["query"]): Promise<T | undefined> {
  try {
    return await client.get<T>(path, query);
  } catch (err) {
    if (isApiError(err, 404)) return undefined;
    throw err;
  }
}

/** DELETE where a 404 counts as done: deleted already, or retried after a lost answer. */
export async function deleteOrGone(client: RestClient, path: string, query?: RequestOptions["query"]): Promise<void> {
  try {
    await client.request("DELETE", path, query ? { query } : {});
  } catch (err) {
    if (!isApiError(err, 404)) throw err;
  }
}

/**
 * Runs a non-idempotent POST without ever leaving a duplicate behind:
 * - no answer, or a 5xx: the object may exist anyway, and may show in lists only a moment later,
 *   so it pauses (the client's backoff) and looks it up; found, it is kept; not found, it POSTs again;
 * - 400 or 409: a name already taken answers with either (which one is unconfirmed), so it looks the
 *   object up once; not found, the error was a real refusal and the API's message goes to the caller.
 */
export async function postOrFind<T>(client: Pick<RestClient, "pause">, post: () => Promise<T>, find: () => Promise<T | undefined>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await post();
    } catch (err) {
      const status = isApiError(err) ? err.status : 0;
      const taken = status === 400 || status === 409;
      const ambiguous = !isApiError(err) || status === 0 || status >= 500;
      if (!taken && !ambiguous) throw err;
      if (ambiguous) await client.pause(attempt);
      const found = await find();
      if (found !== undefined) return found;
      if (taken || attempt >= attempts) throw err;
    }
  }
}

type ProviderOps = {
  create?: (...a: any[]) => Promise<any>;
  read?: (...a: any[]) => Promise<any>;
  update?: (...a: any[]) => Promise<any>;
  delete?: (...a: any[]) => Promise<any>;
};

/**
 * The provider with every failure of create, read, update and delete naming the resource, as one
 * line: `Render service 'ott-prod-api': Render API PATCH /services/srv-… failed (400): …`. An error
 * keeps its `id` and `properties` (a partial create), so the engine still records them.
 */
export function namingErrors<P extends ProviderOps>(provider: P, what: (props: Record<string, any>, id?: string) => string): P {
  const wrap =
    (op: keyof ProviderOps, propsAt: number, idAt?: number) =>
    async (...args: any[]) => {
      try {
        return await provider[op]!(...args);
      } catch (err) {
        const name = what(args[propsAt] ?? {}, idAt === undefined ? undefined : args[idAt]);
        const e = err instanceof Error ? err : new Error(String(err));
        const line = e.message.replace(/\s*\n\s*/g, " ");
        e.message = line.startsWith(name) ? line : `${name}: ${line}`;
        throw e;
      }
    };
  return {
    ...provider,
    ...(provider.create ? { create: wrap("create", 0) } : {}),
    ...(provider.read ? { read: wrap("read", 1, 0) } : {}),
    ...(provider.update ? { update: wrap("update", 2, 0) } : {}),
    ...(provider.delete ? { delete: wrap("delete", 1, 0) } : {}),
  };
}

/**
 * Polls `next()` until `done(value)`, at most `timeoutSeconds`; throws `fail(value)`'s text at once
 * when it returns one (a state that will not recover), and a timeout naming the last value otherwise.
 */
export async function waitFor<T>(opts: {
  first: T;
  next: () => Promise<T>;
  done: (v: T) => boolean;
  fail?: (v: T) => string | undefined;
  describe: (v: T) => string;
  timeoutSeconds: number;
  pollMs: number;
}): Promise<T> {
  const deadline = Date.now() + opts.timeoutSeconds * 1000;
  let v = opts.first;
  for (;;) {
    if (opts.done(v)) return v;
    const failed = opts.fail?.(v);
    if (failed) throw new Error(failed);
    if (Date.now() > deadline) throw new Error(`it is still ${opts.describe(v)} after ${opts.timeoutSeconds} s`);
    await new Promise((r) => setTimeout(r, opts.pollMs));
    v = await opts.next();
  }
}

/** A copy without `undefined` at any depth: Pulumi's provider host cannot serialize it (`Unexpected struct type.`). */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compact) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, compact(v)])) as T;
  }
  return value;
}

/**
 * The error for a failure after the API created the object: it carries the object's `id` and what
 * is known of it, so the engine records the resource (ErrorResourceInitFailed) instead of
 * forgetting it, and the next `pulumi up` continues it rather than creating a second one.
 */
export function createdButFailed(what: string, id: string, properties: object, err: unknown): Error {
  const reason = err instanceof Error ? err.message : String(err);
  const e = new Error(`${what} ${id} exists, but ${reason}`) as Error & { id: string; properties: object; reasons: string[] };
  e.id = id;
  e.properties = compact(properties);
  e.reasons = [reason];
  return e;
}

/**
 * Whether only the provider's own code differs between the recorded state and the program. The
 * engine runs `read` and `delete` with the code recorded at the last create or update, so a fix
 * reaches an existing resource only through an update; that update makes no API call.
 */
export function providerChanged(olds: { __provider?: unknown }, news: { __provider?: unknown }): boolean {
  return typeof olds.__provider === "string" && typeof news.__provider === "string" && olds.__provider !== news.__provider;
}
