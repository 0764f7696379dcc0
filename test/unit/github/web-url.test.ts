/**
 * Web links come from the page address GitHub put in the payload (so they point at the host that
 * sent it, an Enterprise Server's own), else from GITHUB_SERVER_URL; never a hard-coded github.com.
 */
import { afterEach, describe, expect, it } from "vitest";
import { githubServerUrl, githubWebBase, runPageUrl } from "../../../lib/github/web-url.ts";
import { runUrl } from "../../../lib/runners/notifications.ts";
import { jobMessage } from "../../../lib/jobs/job-message.ts";
import { jobFacts } from "../../../lib/github/job-facts.ts";
import type { RoutedDecision } from "../../../lib/routing/decision.ts";
import { route } from "../../../lib/routing/route.ts";
import { sampleConfig } from "../../support/config.ts";
import { workflowJob } from "../../support/payloads.ts";

const GHES = { GITHUB_SERVER_URL: "https://ghe.example.com/" };

afterEach(() => {
  delete process.env.GITHUB_SERVER_URL;
});

describe("GitHub web links", () => {
  it("take the run's page from a job page of the usual shape, on whatever host sent it", () => {
    expect(runPageUrl({ repository: "acme/api", runId: 7, htmlUrl: "https://ghe.example.com/acme/api/actions/runs/7/job/9" }, {})).toBe("https://ghe.example.com/acme/api/actions/runs/7");
  });

  it("build the run's page on the job page's host when the page is an older Enterprise Server's …/runs/<job>", () => {
    expect(runPageUrl({ repository: "Acme/API", runId: 7, htmlUrl: "https://ghe.example.com/acme/api/runs/9" }, {})).toBe("https://ghe.example.com/Acme/API/actions/runs/7");
  });

  it("fall back to GITHUB_SERVER_URL without a page, or with one that is not this repository's", () => {
    expect(runPageUrl({ repository: "acme/api", runId: 7 }, GHES)).toBe("https://ghe.example.com/acme/api/actions/runs/7");
    expect(runPageUrl({ repository: "acme/api", runId: 7, htmlUrl: "not a url" }, GHES)).toBe("https://ghe.example.com/acme/api/actions/runs/7");
    // "acme/api" inside "acme/api-docs" is another repository.
    expect(githubWebBase("acme/api", "https://elsewhere.example/acme/api-docs/runs/1", GHES)).toBe("https://ghe.example.com");
    // The host part is never taken for the repository.
    expect(githubWebBase("acme/api", "https://acme/api/x", GHES)).toBe("https://ghe.example.com");
  });

  it("use https://github.com when GITHUB_SERVER_URL is unset or empty", () => {
    expect(githubServerUrl({})).toBe("https://github.com");
    expect(githubServerUrl({ GITHUB_SERVER_URL: " " })).toBe("https://github.com");
  });

  it("reach the launcher's Slack events: a job message without html_url links the run on GITHUB_SERVER_URL", () => {
    process.env.GITHUB_SERVER_URL = "https://ghe.example.com";
    const payload = workflowJob({ runId: 55, repository: "acme/web", labels: ["self-hosted", "runway-dev", "runway-run-55-1"] });
    delete (payload.workflow_job as Record<string, unknown>).html_url;
    const facts = jobFacts(payload);
    const message = jobMessage("guid-1", "queued", facts, facts.key!, route(payload, sampleConfig()) as RoutedDecision, new Date());
    expect(runUrl(message)).toBe("https://ghe.example.com/acme/web/actions/runs/55");
  });
});
