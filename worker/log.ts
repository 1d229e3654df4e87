/** One structured line; Workers Logs and `wrangler tail` index JSON written to the console. */
export type LogLine = Record<string, unknown> & { level: "info" | "warn" | "error"; event: string };

export function log(line: LogLine): void {
  const text = JSON.stringify(line);
  if (line.level === "error") console.error(text);
  else if (line.level === "warn") console.warn(text);
  else console.log(text);
}
