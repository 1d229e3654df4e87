import { DYNAMIC_PROVIDER, SECRET } from "./manifest";

/** Pulumi's wire marker for a secret value: `{[SECRET_SIG]: SECRET_VALUE, value}`. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Replaces every secret (sig-wrapped) value with "[secret]" and sorts object keys for stable
 * output. With `reveal` (tests only) a secret becomes `{"[secret]": value}` instead, so a test can
 * check both that a value is secret and what it is.
 */
export function redact(value: unknown, reveal = false): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const obj = v as Record<string, unknown>;
      if (obj[SECRET_SIG] === SECRET_VALUE) return reveal ? { [SECRET]: walk(obj.value) } : SECRET;
      if (SECRET_SIG in obj) return walk(obj.value); // resource references and assets: keep their value
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(obj).sort()) out[key] = key === "__provider" ? DYNAMIC_PROVIDER : walk(obj[key]);
      return out;
    }
    return v;
  };
  return walk(value);
}
