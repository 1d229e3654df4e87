import type { Manifest } from "../manifest";

export function formatJson(m: Manifest): string {
  return JSON.stringify(m, null, 2) + "\n";
}
