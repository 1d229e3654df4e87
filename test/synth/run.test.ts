import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { synthesize } from "../../synth/run";

const installed = Error.prepareStackTrace;
afterEach(() => {
  Error.prepareStackTrace = installed;
});

describe("synthesize", () => {
  it("leaves the SDK's own stack captures (one per resource and promise) to V8's formatter, and puts an installed one back", async () => {
    let calls = 0;
    const formatter = (err: Error, frames: NodeJS.CallSite[]) => {
      calls++;
      return `${err.name}: ${err.message} (${frames.length} frames)`;
    };
    Error.prepareStackTrace = formatter;
    let during: unknown = "unset";
    const m = await synthesize({
      project: "p",
      stack: "s",
      config: {},
      program: () => {
        during = Error.prepareStackTrace;
        const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
        for (let i = 0; i < 5; i++) new pulumi.ComponentResource("test:index:Child", `child-${i}`, {}, { parent });
        return {};
      },
    });
    expect(m.resources).toHaveLength(7);
    expect(during).toBeUndefined();
    expect(calls).toBe(0);
    expect(Error.prepareStackTrace).toBe(formatter);
  });

  it("captures no stack frames while the program runs (the manifest keeps no source positions), unless WEBSTACK_DEBUG asks for them", async () => {
    const limit = Error.stackTraceLimit;
    const seen = async () => {
      let during = -1;
      await synthesize({ project: "p", stack: "s", config: {}, program: () => ((during = Error.stackTraceLimit), {}) });
      return during;
    };
    expect(await seen()).toBe(0);
    expect(Error.stackTraceLimit).toBe(limit);
    process.env.WEBSTACK_DEBUG = "1";
    try {
      expect(await seen()).toBe(limit);
    } finally {
      delete process.env.WEBSTACK_DEBUG;
    }
    const failing = synthesize({ project: "p", stack: "s", config: {}, program: () => { throw new Error("bad config"); } });
    await expect(failing).rejects.toThrow("bad config");
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it("puts it back when the program fails, and nested synths keep the outer one's", async () => {
    const formatter = () => "mapped";
    Error.prepareStackTrace = formatter;
    const failing = synthesize({ project: "p", stack: "s", config: {}, program: () => { throw new Error("bad config"); } });
    await expect(failing).rejects.toThrow("bad config");
    expect(Error.prepareStackTrace).toBe(formatter);
    const [a, b] = await Promise.all([
      synthesize({ project: "p", stack: "a", config: {}, program: () => ({}) }),
      synthesize({ project: "p", stack: "b", config: {}, program: () => ({}) }),
    ]);
    expect([a.stack, b.stack]).toEqual(["a", "b"]);
    expect(Error.prepareStackTrace).toBe(formatter);
  });
});
