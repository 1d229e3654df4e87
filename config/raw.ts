import { NAMESPACE } from "./schema";

/**
 * Turns Pulumi's flat config map (`webstack:backend` → JSON text) into section values.
 * Pulumi hands objects over as JSON strings and scalars as plain strings.
 */
export function rawSections(all: Record<string, string>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const prefix = `${NAMESPACE}:`;
  for (const [key, text] of Object.entries(all)) {
    if (!key.startsWith(prefix)) continue;
    raw[key.slice(prefix.length)] = parseValue(text);
  }
  return raw;
}

function parseValue(text: string): unknown {
  const t = text.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t);
    } catch {
      return text;
    }
  }
  return text;
}
