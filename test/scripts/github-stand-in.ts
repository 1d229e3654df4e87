import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { GitHubAnswer } from "../../scripts/github-api";

const FIXTURES = join(__dirname, "fixtures");
const load = (f: string) => JSON.parse(readFileSync(join(FIXTURES, f), "utf8")) as Record<string, GitHubAnswer>;

/**
 * GitHub's REST API on loopback, answering from recorded answers: `GET /repos/acme/ott/pulls/{n}`
 * from github-pulls.json and `GET /repos/acme/ott/pulls?state=open&head=…` from
 * github-open-pulls.json. `pulls` can be changed between calls, to play a PR's timeline.
 */
export interface GitHubStandIn {
  url: string;
  pulls: Record<string, GitHubAnswer>;
  openPulls: Record<string, GitHubAnswer>;
  requests: string[];
  close(): Promise<void>;
}

export async function startGitHubStandIn(): Promise<GitHubStandIn> {
  const pulls = load("github-pulls.json");
  const openPulls = load("github-open-pulls.json");
  const requests: string[] = [];
  const notFound: GitHubAnswer = { status: 404, body: { message: "Not Found" } };
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? "(no token)"}`);
    const url = new URL(req.url ?? "/", "http://x");
    const one = /^\/repos\/acme\/ott\/pulls\/(\d+)$/.exec(url.pathname);
    let answer = notFound;
    if (one) answer = pulls[one[1]!] ?? notFound;
    else if (url.pathname === "/repos/acme/ott/pulls" && url.searchParams.get("state") === "open") {
      answer = openPulls[url.searchParams.get("head") ?? ""] ?? { status: 200, body: [] };
    }
    res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pulls,
    openPulls,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A recorded PR answer with another state, as GitHub answers after a close or a reopen. */
export function withState(answer: GitHubAnswer, state: "open" | "closed", at: string): GitHubAnswer {
  const body = answer.body as Record<string, unknown>;
  return { status: 200, body: { ...body, state, updated_at: at, closed_at: state === "closed" ? at : null } };
}
