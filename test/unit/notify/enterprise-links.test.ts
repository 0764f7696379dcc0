/**
 * Slack links to an Enterprise Server's pages stay on its host: a foreign job's run link is built
 * from the job's own page, also when an older server gives it in the check-run form `…/runs/<job>`.
 */
import { describe, expect, it } from "vitest";
import { renderReply } from "../../../lib/notify/render/replies.ts";
import { build, event, job, run } from "../../support/notify/events.ts";

const foreign = {
  id: 77,
  name: "deploy-stg",
  repository: "acme/web",
  runId: 9001,
  workflowName: null,
  environment: "stg",
  reason: "job 77 is run 9001's, the runner was launched for run 9100200300",
};

const reply = (url: string) => JSON.stringify(renderReply(event({ type: "job.foreign", run, job, runnerName: "runway-dev-1", build, foreign: { ...foreign, url }, actions: [] })));

describe("a foreign job's links on GitHub Enterprise Server", () => {
  it("link the run on the job page's host, from the usual job page", () => {
    expect(reply("https://ghe.example.com/acme/web/actions/runs/9001/job/77")).toContain("of acme/web <https://ghe.example.com/acme/web/actions/runs/9001|run 9001>");
  });

  it("link the run on the job page's host, from an older server's check-run page", () => {
    const line = reply("https://ghe.example.com/acme/web/runs/77");
    expect(line).toContain("was handed job *<https://ghe.example.com/acme/web/runs/77|deploy-stg>*");
    expect(line).toContain("of acme/web <https://ghe.example.com/acme/web/actions/runs/9001|run 9001>");
  });
});
