/**
 * Render's Key Value API for the emulator (render-day2.md §1): `POST /key-value` answers 201 with
 * status `unknown`, later reads show `creating`, then `available`; an empty allow list reads back
 * as `null`; the detail has no `dashboardUrl` (list items do); a plan change puts it back to
 * `creating`; region and environment cannot be PATCHed; `connection-info` gives an internal URL
 * without credentials and an external TLS URL with the instance id as user.
 */
import { HttpError } from "./emulator-projects";

type Json = any;
type Page = (items: Json[], key: string, q: URLSearchParams) => [number, Json];

export const EMULATED_KEY_VALUE_PLANS = ["free", "starter", "standard", "pro", "pro_plus"];
const POLICIES = ["noeviction", "allkeys_lfu", "allkeys_lru", "allkeys_random", "volatile_lfu", "volatile_lru", "volatile_random", "volatile_ttl"];
const REGIONS = ["frankfurt", "ohio", "oregon", "singapore", "virginia"];

export interface KeyValueEmulatorOptions {
  /** Refuse a second instance with a name already used, with this status (unconfirmed whether Render does). */
  uniqueKeyValueNames?: 400 | 409;
  /** Answer 402 (payment information required) to any plan but `free`. */
  paymentRequired?: boolean;
}

export class KeyValueStore {
  readonly items = new Map<string, { kv: Json; password: string }>();

  constructor(
    private readonly newId: (prefix: string) => string,
    private readonly page: Page,
    /** Puts the instance into a project environment (ProjectStore.attach). */
    private readonly attach: (environmentId: string, id: string) => void,
    private readonly forget: (id: string) => void,
    private readonly hasEnvironment: (id: string) => boolean,
    private readonly options: () => KeyValueEmulatorOptions,
  ) {}

  clear(): void {
    this.items.clear();
  }

  /** Instances as Render would list them. */
  list(): Json[] {
    return [...this.items.values()].map((e) => e.kv);
  }

  get(id: string): Json | undefined {
    return this.items.get(id)?.kv;
  }

  /** The detail Render returns: the stored object without `dashboardUrl`, an empty allow list as `null`. */
  private detail(kv: Json): Json {
    const { dashboardUrl: _omitted, ...rest } = kv;
    return { ...rest, ipAllowList: kv.ipAllowList.length ? kv.ipAllowList : null };
  }

  private validate(b: Json, creating: boolean): void {
    if (b.plan !== undefined && !EMULATED_KEY_VALUE_PLANS.includes(b.plan)) throw new HttpError(400, `invalid plan '${b.plan}' for Key Value`);
    if (b.plan !== undefined && b.plan !== "free" && this.options().paymentRequired) {
      throw new HttpError(402, "payment information is required for paid plans; add a card to the workspace");
    }
    if (b.maxmemoryPolicy !== undefined && !POLICIES.includes(b.maxmemoryPolicy)) throw new HttpError(400, `invalid maxmemoryPolicy '${b.maxmemoryPolicy}'`);
    if (creating && b.region !== undefined && !REGIONS.includes(b.region)) throw new HttpError(400, `invalid region '${b.region}'`);
    if (b.ipAllowList !== undefined) {
      if (!Array.isArray(b.ipAllowList) || b.ipAllowList.some((e: Json) => typeof e?.cidrBlock !== "string" || typeof e?.description !== "string")) {
        throw new HttpError(400, "ipAllowList entries need cidrBlock and description");
      }
    }
  }

  private nameTaken(ownerId: string, name: string, except?: string): boolean {
    return this.list().some((k) => k.owner.id === ownerId && k.name === name && k.id !== except);
  }

  route(method: string, seg: string[], q: URLSearchParams, b: Json): [number, Json] {
    const filter = (name: string) => q.get(name)?.split(",").filter(Boolean);
    if (seg.length === 1 && method === "GET") {
      const [names, owners, regions, envs] = [filter("name"), filter("ownerId"), filter("region"), filter("environmentId")];
      const found = this.list().filter(
        (k) =>
          (!names || names.includes(k.name)) &&
          (!owners || owners.includes(k.owner.id)) &&
          (!regions || regions.includes(k.region)) &&
          (!envs || envs.includes(k.environmentId)),
      );
      return this.page(
        found.map((k) => ({ ...k, ipAllowList: k.ipAllowList.length ? k.ipAllowList : null })),
        "keyValue",
        q,
      );
    }
    if (seg.length === 1 && method === "POST") {
      for (const k of ["name", "ownerId", "plan"]) if (!b?.[k]) throw new HttpError(400, `${k} is required`);
      if (!/^(tea|usr)-/.test(b.ownerId)) throw new HttpError(400, "invalid ownerId");
      this.validate(b, true);
      const unique = this.options().uniqueKeyValueNames;
      if (unique && this.nameTaken(b.ownerId, b.name)) throw new HttpError(unique, `a Key Value instance named '${b.name}' already exists`);
      if (b.environmentId && !this.hasEnvironment(b.environmentId)) throw new HttpError(400, `environment '${b.environmentId}' not found`);
      const id = this.newId("red");
      const now = new Date().toISOString();
      const kv = {
        id,
        name: b.name,
        owner: { id: b.ownerId, name: "Acme", email: "ops@acme.test", type: b.ownerId.startsWith("tea-") ? "team" : "user" },
        plan: b.plan,
        region: b.region ?? "oregon",
        status: "unknown",
        options: { maxmemoryPolicy: b.maxmemoryPolicy ?? "allkeys_lru", persistenceMode: b.plan === "free" ? "off" : "journal_snapshot" },
        ipAllowList: b.ipAllowList ?? [],
        version: "8.1.4",
        createdAt: now,
        updatedAt: now,
        dashboardUrl: `https://dashboard.render.com/r/${id}`,
      };
      // Letters and digits, like Render's generated passwords.
      this.items.set(id, { kv, password: `kvPass${id.slice(4, 8)}Secret` });
      if (b.environmentId) this.attach(b.environmentId, id);
      return [201, this.detail(kv)];
    }
    const entry = this.items.get(seg[1] ?? "");
    if (!entry) throw new HttpError(404, "key value instance not found");
    const kv = entry.kv;
    if (seg.length === 2 && method === "GET") {
      // `unknown` in the create answer, `creating` on the next read (also after a plan change), `available` from then on.
      const out = { ...this.detail(kv), status: kv.status === "unknown" ? "creating" : kv.status };
      kv.status = "available";
      return [200, out];
    }
    if (seg.length === 2 && method === "PATCH") {
      const bad = Object.keys(b ?? {}).filter((k) => !["name", "plan", "maxmemoryPolicy", "ipAllowList", "persistenceMode"].includes(k));
      if (bad.length) throw new HttpError(400, `cannot change ${bad.join(", ")}`);
      this.validate(b, false);
      if (b.plan !== undefined && EMULATED_KEY_VALUE_PLANS.indexOf(b.plan) < EMULATED_KEY_VALUE_PLANS.indexOf(kv.plan)) {
        throw new HttpError(400, `plan cannot be downgraded from ${kv.plan} to ${b.plan}`);
      }
      const unique = this.options().uniqueKeyValueNames;
      if (unique && b.name && this.nameTaken(kv.owner.id, b.name, kv.id)) throw new HttpError(409, `a Key Value instance named '${b.name}' already exists`);
      if (b.name !== undefined) kv.name = b.name;
      if (b.plan !== undefined && b.plan !== kv.plan) {
        kv.plan = b.plan;
        kv.status = "creating";
        kv.options.persistenceMode = b.plan === "free" ? "off" : "journal_snapshot";
      }
      if (b.maxmemoryPolicy !== undefined) kv.options.maxmemoryPolicy = b.maxmemoryPolicy;
      if (b.ipAllowList !== undefined) kv.ipAllowList = b.ipAllowList;
      kv.updatedAt = new Date().toISOString();
      return [200, this.detail(kv)];
    }
    if (seg.length === 2 && method === "DELETE") {
      this.forget(kv.id);
      this.items.delete(kv.id);
      return [204, undefined];
    }
    if (seg[2] === "connection-info" && method === "GET" && seg.length === 3) {
      const host = `${kv.region}-keyvalue.render.com`;
      return [
        200,
        {
          internalConnectionString: `redis://${kv.id}:6379`,
          externalConnectionString: `rediss://${kv.id}:${entry.password}@${host}:6377`,
          cliCommand: `REDISCLI_AUTH=${entry.password} valkey-cli --user ${kv.id} -h ${host} -p 6377 --tls`,
        },
      ];
    }
    throw new HttpError(404, "no such key-value route");
  }
}
