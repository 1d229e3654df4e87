import { describe, expect, it } from "vitest";
import { rawSections } from "../../config/raw";
import { validateStackConfig } from "../../config/validate";
import { readStackFile } from "../../synth/stack-file";
import { ROOT } from "../harness";

const staging = () => rawSections(readStackFile(ROOT, "staging").config) as Record<string, any>;
const errorsFor = (raw: Record<string, unknown>) => {
  const r = validateStackConfig(raw);
  return r.ok ? [] : r.errors;
};

describe("backend.runtime: image", () => {
  it("needs backend.image, and refuses what only a build uses, naming each key", () => {
    const raw = staging();
    raw.backend.runtime = "image";
    raw.backend.rootDir = "backend";
    expect(errorsFor(raw)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^webstack:backend\.image: required for the 'image' runtime/),
        expect.stringMatching(/^webstack:backend\.buildCommand: not used by the 'image' runtime/),
        expect.stringMatching(/^webstack:backend\.rootDir: not used by the 'image' runtime/),
      ]),
    );
  });

  it("accepts an image with a registry credential, and refuses an image on another runtime", () => {
    const raw = staging();
    delete raw.backend.buildCommand;
    delete raw.backend.rootDir;
    delete raw.backend.branches;
    raw.backend.runtime = "image";
    raw.backend.image = { imagePath: "ghcr.io/acme/ott-api:1.4.2", registryCredentialId: "rgc-abc123" };
    expect(errorsFor(raw)).toEqual([]);
    raw.backend.image.registryCredentialId = "my-token";
    expect(errorsFor(raw)).toEqual([expect.stringMatching(/^webstack:backend\.image\.registryCredentialId: expected a Render registry credential id/)]);
    const node = staging();
    node.backend.image = { imagePath: "ghcr.io/acme/ott-api:1.4.2" };
    expect(errorsFor(node)).toEqual(["webstack:backend.image: only used by runtime 'image' (runtime is 'node')"]);
  });
});

describe("database.render.diskSizeGB", () => {
  it("takes 1 or a multiple of 5, and names the key otherwise", () => {
    const raw = staging();
    for (const ok of [1, 5, 15, 100]) {
      raw.database.render = { ...raw.database.render, diskSizeGB: ok };
      expect(errorsFor(raw), String(ok)).toEqual([]);
    }
    raw.database.render = { ...raw.database.render, diskSizeGB: 7 };
    expect(errorsFor(raw)).toEqual(["webstack:database.render.diskSizeGB: 7 GB is not a size Render takes: 1, or a multiple of 5 (e.g. 15)"]);
  });
});
