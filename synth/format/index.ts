import type { Manifest } from "../manifest";
import { formatCost } from "./cost";
import { formatJson } from "./json";
import { formatMarkdown } from "./markdown";
import { formatMermaid } from "./mermaid";
import { formatTable } from "./table";

export const formats = {
  table: formatTable,
  json: formatJson,
  markdown: formatMarkdown,
  mermaid: (m: Manifest) => formatMermaid(m),
  cost: formatCost,
} as const;

export type FormatName = keyof typeof formats;
