import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { githubPulls, judge, prStacksOf, reapVerdicts, type PullAnswer } from "../../scripts/closed-pr-stacks";
import { runScript } from "./run-script";

const FIXTURES = join(__dirname, "fixtures");
const STACK_LS = join(FIXTURES, "pulumi-stack-ls.json");
const stackLs = JSON.parse(readFileSync(STACK_LS, "utf8")) as unknown;
const recorded = JSON.parse(readFileSync(join(FIXTURES, "github-pulls.json"), "utf8")) as Record<string, PullAnswer>;
const replay = async (pr: number): Promise<PullAnswer> => recorded[String(pr)] ?? { status: 404, body: { message: "Not Found" } };

// GitHub stand-in on loopback, answering from the recorded answers, and recording each request.
let server: Server;
let apiUrl = "";
const requests: { url: string; auth?: string; accept?: string; version?: string }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? "", auth: req.headers.authorization, accept: req.headers.accept, version: req.headers["x-github-api-version"] as string });
    const m = /^\/repos\/acme\/ott\/pulls\/(\d+)$/.exec(req.url ?? "");
    const answer = (m && recorded[m[1]!]) || { status: 404, body: { message: "Not Found" } };
    res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("nightly reaper: which pr-<n> stacks belong to closed PRs", () => {
  it("reads this project's pr-<n> stacks in every name form the CLI prints, and nothing else", () => {
    expect(prStacksOf(stackLs, "webstack").map((s) => [s.pr, s.stack, s.busy])).toEqual([
      [3, "pr-3", false],
      [5, "acme/webstack/pr-5", false],
      [8, "acme/pr-8", false],
      [9, "acme/webstack/pr-9", true],
      [11, "acme/webstack/pr-11", false],
      [14, "acme/webstack/pr-14", false],
    ]);
    expect(() => prStacksOf({ stacks: [] }, "webstack")).toThrow("expected the JSON array");
    expect(() => prStacksOf([{ current: true }], "webstack")).toThrow("has no name");
  });

  it("destroys merged PRs and PRs closed unmerged (conflicts), keeps open and busy ones, and errors on unclear answers", async () => {
    const verdicts = await reapVerdicts(prStacksOf(stackLs, "webstack"), replay);
    expect(verdicts.map((v) => [v.pr, v.action])).toEqual([
      [3, "destroy"],
      [5, "destroy"],
      [8, "keep"],
      [9, "keep"],
      [11, "error"],
      [14, "error"],
    ]);
    const by = Object.fromEntries(verdicts.map((v) => [v.pr, v.reason]));
    expect(by[3]).toBe("pull request #3 was merged 2026-11-18T16:30:00Z");
    expect(by[5]).toBe("pull request #5 was closed 2026-11-19T12:00:00Z");
    expect(by[9]).toMatch(/closed, but an update is running on acme\/webstack\/pr-9; the next run destroys it/);
    expect(by[11]).toMatch(/^GitHub has no pull request #11 \(404: Not Found\); acme\/webstack\/pr-11 is not one of this repository's PR stacks, so it is left alone/);
    expect(by[14]).toMatch(/^GitHub answered 403 about #14: API rate limit exceeded/);
  });

  it("never destroys on an answer about another PR, an unknown state, or no answer", () => {
    const s = { pr: 7, stack: "pr-7", busy: false };
    expect(judge(s, { status: 200, body: { number: 8, state: "closed" } })).toMatchObject({ action: "error" });
    expect(judge(s, { status: 200, body: { number: 7, state: "archived" } })).toMatchObject({ action: "error", reason: "pull request #7 has the unknown state 'archived'" });
    expect(judge(s, { status: 0, body: { message: "fetch failed" } })).toMatchObject({ action: "error", reason: "no answer from GitHub about #7: fetch failed" });
    expect(judge(s, { status: 502, body: "<html>Bad gateway</html>" })).toMatchObject({ action: "error", reason: "GitHub answered 502 about #7" });
  });

  it("asks GitHub's REST API with the runner's token, and turns a refused connection into an error verdict", async () => {
    requests.length = 0;
    const ask = githubPulls({ apiUrl: `${apiUrl}/`, repo: "acme/ott", token: "ghs_test" });
    expect(await ask(5)).toMatchObject({ status: 200, body: { number: 5, state: "closed" } });
    expect(await ask(11)).toMatchObject({ status: 404 });
    expect(requests[0]).toEqual({ url: "/repos/acme/ott/pulls/5", auth: "Bearer ghs_test", accept: "application/vnd.github+json", version: "2022-11-28" });
    const dead = githubPulls({ apiUrl: "http://127.0.0.1:1", repo: "acme/ott", token: "t" });
    expect(judge({ pr: 5, stack: "pr-5", busy: false }, await dead(5))).toMatchObject({ action: "error", reason: expect.stringMatching(/^no answer from GitHub about #5/) });
  });

  it("the command outputs the PRs to destroy, writes the reasons to the summary, then fails on the unclear ones", async () => {
    const run = await runScript("scripts/closed-pr-stacks.ts", [STACK_LS], {
      env: { GITHUB_API_URL: apiUrl, GITHUB_REPOSITORY: "acme/ott", GITHUB_TOKEN: "ghs_test" },
    });
    expect(run.code).toBe(1);
    expect(run.outputs).toBe("prs=[3,5]\n");
    expect(run.summary).toContain("| `pr-3` | destroy | pull request #3 was merged 2026-11-18T16:30:00Z |");
    expect(run.summary).toContain("| `acme/pr-8` | keep | pull request #8 is open |");
    expect(run.stdout.split("\n").filter((l) => l.startsWith("::error::"))).toHaveLength(2);
    expect(run.stdout).toContain("::notice::acme/webstack/pr-5: pull request #5 was closed 2026-11-19T12:00:00Z; destroying it.");
  });
});
