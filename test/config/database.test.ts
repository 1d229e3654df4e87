import { describe, expect, it } from "vitest";
import { rawSections } from "../../config/raw";
import { validateStackConfig } from "../../config/validate";
import { readStackFile } from "../../synth/stack-file";
import { ROOT } from "../harness";

const stack = (name: string) => rawSections(readStackFile(ROOT, name).config) as Record<string, any>;

function errorsFor(raw: Record<string, unknown>): string[] {
  const r = validateStackConfig(raw);
  return r.ok ? [] : r.errors;
}

describe("webstack:database", () => {
  it("refuses to share from a production stack without the opt-in, naming the key", () => {
    const raw = stack("dev");
    raw.database = { mode: "shared", from: "acme/webstack/prod" };
    expect(errorsFor(raw)).toEqual([
      "webstack:database.allowProductionData: acme/webstack/prod is a production stack: set it to true to share production data on purpose",
    ]);
    raw.database.allowProductionData = true;
    expect(errorsFor(raw)).toEqual([]);
  });

  it("accepts a consumer name for pull-request stacks", () => {
    const raw = stack("dev");
    raw.environment = "preview";
    raw.backend.branches = [];
    raw.database = { mode: "shared", from: "acme/webstack/staging", consumer: "preview" };
    expect(errorsFor(raw).filter((e) => e.startsWith("webstack:database"))).toEqual([]);
    raw.database.consumer = "Preview!";
    expect(errorsFor(raw).filter((e) => e.startsWith("webstack:database"))).toEqual([
      "webstack:database.consumer: expected a lowercase slug (a-z, 0-9, '-'; 2-32 chars)",
    ]);
  });

  it("keeps Render settings and TLS consistent with the server kind", () => {
    const raw = stack("staging");
    raw.database.server = "external";
    expect(errorsFor(raw)).toEqual(["webstack:database.render: only applies to server 'render'"]);
    raw.database.server = "render";
    raw.database.sslmode = "disable";
    expect(errorsFor(raw)).toEqual(["webstack:database.sslmode: Render Postgres accepts external connections over TLS only"]);
  });

  it("rejects a consumer listed twice", () => {
    const raw = stack("staging");
    raw.database.consumers = ["dev", "dev"];
    expect(errorsFor(raw)).toEqual(["webstack:database.consumers: lists a consumer twice"]);
  });
});
