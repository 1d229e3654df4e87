import { DYNAMIC_PROVIDER, SECRET } from "./manifest";

/** Pulumi's wire marker for a secret value: `{[SECRET_SIG]: SECRET_VALUE, value}`. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** Replaces every secret (sig-wrapped) value with "[secret]" and sorts object keys for stable output. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG] === SECRET_VALUE) return SECRET;
    if (SECRET_SIG in obj) return redact(obj.value); // resource references and assets: keep their value
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj).sort()) {
      out[key] = key === "__provider" ? DYNAMIC_PROVIDER : redact(obj[key]);
    }
    return out;
  }
  return value;
}
