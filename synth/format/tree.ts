import type { Manifest, ManifestResource } from "../manifest";

/** Children of each resource, in manifest (URN) order; roots under the key null. */
export function childrenByParent(m: Manifest): Map<string | null, ManifestResource[]> {
  const urns = new Set(m.resources.map((r) => r.urn));
  const children = new Map<string | null, ManifestResource[]>();
  for (const r of m.resources) {
    const parent = r.parent && urns.has(r.parent) ? r.parent : null;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  return children;
}

export function flags(r: ManifestResource): string[] {
  const f: string[] = [];
  if (r.protect) f.push("protect");
  if (r.retainOnDelete) f.push("retain");
  if (!r.custom) f.push("component");
  return f;
}
