import type { z } from "zod";
import { NAMESPACE, sections } from "./schema";

export interface ConfigRow {
  key: string;
  type: string;
  required: boolean;
  default?: string;
  description: string;
}

/** Every documented key of the stack config, walked from the zod schema itself. */
export function configRows(): ConfigRow[] {
  const rows = new Map<string, ConfigRow>();
  for (const [name, schema] of Object.entries(sections)) walk(schema as z.ZodType, `${NAMESPACE}:${name}`, true, rows);
  return [...rows.values()];
}

function walk(node: any, key: string, required: boolean, rows: Map<string, ConfigRow>, description?: string): void {
  const def = node._zod.def;
  description ??= node.description;
  switch (def.type) {
    case "optional":
      return walk(def.innerType, key, false, rows, description);
    case "default": {
      const d = typeof def.defaultValue === "function" ? def.defaultValue() : def.defaultValue;
      walk(def.innerType, key, false, rows, description);
      const row = rows.get(key);
      if (row) row.default = JSON.stringify(d);
      return;
    }
    case "pipe":
      // preprocess: the shape is the output; transform: the shape is the input.
      return walk(def.in._zod.def.type === "transform" ? def.out : def.in, key, required, rows, description);
    case "object":
      add(rows, { key, type: "object", required, description: description ?? "" });
      for (const [k, child] of Object.entries(def.shape)) walk(child, `${key}.${k}`, !isOptional(child), rows);
      return;
    case "array":
      add(rows, { key, type: typeName(node), required, description: description ?? "" });
      for (const opt of objectsOf(def.element)) walkFields(opt, `${key}[]`, rows);
      return;
    case "record":
      add(rows, { key, type: `map of ${typeName(def.valueType)}`, required, description: description ?? "" });
      return;
    case "union": {
      const objects = def.options.filter((o: any) => objectsOf(o).length > 0);
      if (objects.length === def.options.length && def.discriminator) {
        add(rows, { key, type: "object", required, description: description ?? "" });
        for (const o of objects) walkFields(objectsOf(o)[0], key, rows);
        return;
      }
      add(rows, { key, type: typeName(node), required, description: description ?? "" });
      return;
    }
    default:
      add(rows, { key, type: typeName(node), required, description: description ?? "" });
  }
}

function walkFields(obj: any, key: string, rows: Map<string, ConfigRow>) {
  for (const [k, child] of Object.entries(obj._zod.def.shape)) walk(child, `${key}.${k}`, !isOptional(child), rows);
}

function add(rows: Map<string, ConfigRow>, row: ConfigRow) {
  const existing = rows.get(row.key);
  if (!existing) return void rows.set(row.key, row);
  // The same key in several union options (e.g. database.mode): merge what each allows.
  if (!existing.type.split(" \\| ").includes(row.type)) existing.type += ` \\| ${row.type}`;
  existing.description ||= row.description;
}

function isOptional(node: any): boolean {
  return node._zod.optin === "optional";
}

function objectsOf(node: any): any[] {
  const def = node._zod.def;
  if (def.type === "object") return [node];
  if (def.type === "optional" || def.type === "default") return objectsOf(def.innerType);
  if (def.type === "pipe") return [...objectsOf(def.in), ...objectsOf(def.out)];
  if (def.type === "union") return def.options.flatMap(objectsOf);
  return [];
}

function typeName(node: any): string {
  const def = node._zod.def;
  switch (def.type) {
    case "enum":
      return Object.values(def.entries)
        .map((v) => `'${String(v)}'`)
        .join(" \\| ");
    case "literal":
      return def.values.map((v: unknown) => `'${String(v)}'`).join(" \\| ");
    case "optional":
    case "default":
      return typeName(def.innerType);
    case "pipe":
      return typeName(def.in._zod.def.type === "transform" ? def.out : def.in);
    case "union":
      return [...new Set(def.options.map(typeName))].join(" \\| ");
    case "array": {
      const element = typeName(def.element);
      return element.includes("|") ? `(${element})[]` : `${element}[]`;
    }
    default:
      return def.type;
  }
}

/** docs/configuration.md's config reference: one markdown table row per key. */
export function configReferenceMarkdown(): string {
  const lines = ["| Key | Type | Required | Default | Description |", "| --- | --- | --- | --- | --- |"];
  for (const r of configRows()) {
    const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\\\\\|/g, "\\|");
    lines.push(
      `| \`${r.key}\` | ${r.type} | ${r.required ? "yes" : "no"} | ${r.default !== undefined ? `\`${r.default}\`` : ""} | ${cell(r.description)} |`,
    );
  }
  return lines.join("\n");
}
