/**
 * Organisation runner groups, as GitHub keeps them: which repositories (all, or selected ones),
 * and which workflows at which refs, may be handed the group's runners. GitHub checks these when
 * it assigns a job to an organisation runner; the selected-workflows restriction is the one
 * boundary between environments that GitHub itself enforces, so the fake enforces it too.
 */
import type { components } from "@octokit/openapi-types";

export interface FakeRunnerGroup {
  id: number;
  name: string;
  /** The organisation that has it; absent: every organisation has it (as every one has Default). */
  org?: string | undefined;
  visibility: "all" | "selected";
  /** With `selected` visibility: the repositories allowed, `payments` or `acme/payments`. */
  selectedRepositories: string[];
  restrictedToWorkflows: boolean;
  /** With the restriction: `acme/payments/.github/workflows/deploy.yml@refs/heads/main` entries. */
  selectedWorkflows: string[];
  allowsPublicRepositories: boolean;
  default: boolean;
}

/** A group given to the fake: an id alone (a group open to all), or the parts that matter. */
export type RunnerGroupInput = number | (Partial<FakeRunnerGroup> & { id: number });

/** GitHub's Default group: every repository, every workflow; public repositories off, as GitHub ships it. */
export const DEFAULT_RUNNER_GROUP: FakeRunnerGroup = {
  id: 1,
  name: "Default",
  visibility: "all",
  selectedRepositories: [],
  restrictedToWorkflows: false,
  selectedWorkflows: [],
  allowsPublicRepositories: false,
  default: true,
};

/** A group from what a test or the local stack gives: unnamed groups are `group-<id>`, open to all. */
export function runnerGroupFrom(input: RunnerGroupInput): FakeRunnerGroup {
  const given = typeof input === "number" ? { id: input } : input;
  const base = given.id === 1 ? DEFAULT_RUNNER_GROUP : { ...DEFAULT_RUNNER_GROUP, name: `group-${given.id}`, default: false };
  return { ...base, ...given, selectedRepositories: [...(given.selectedRepositories ?? [])], selectedWorkflows: [...(given.selectedWorkflows ?? [])] };
}

/** The groups a fake starts with; the Default group is always there, as on GitHub. */
export function runnerGroupsFrom(inputs: readonly RunnerGroupInput[] = []): FakeRunnerGroup[] {
  const groups = inputs.map(runnerGroupFrom);
  return groups.some((g) => g.id === 1) ? groups : [{ ...DEFAULT_RUNNER_GROUP }, ...groups];
}

export function groupInOrg(group: FakeRunnerGroup, org: string): boolean {
  return group.org === undefined || group.org.toLowerCase() === org.toLowerCase();
}

/** Whether a group lets a repository use its runners (visibility and the public-repository switch). */
export function groupAllowsRepository(group: FakeRunnerGroup, owner: string, repo: string, isPrivate: boolean): string | undefined {
  if (!isPrivate && !group.allowsPublicRepositories) return `runner group ${group.name} does not allow public repositories`;
  if (group.visibility === "all") return undefined;
  const full = `${owner}/${repo}`.toLowerCase();
  const allowed = group.selectedRepositories.some((r) => (r.includes("/") ? r.toLowerCase() === full : r.toLowerCase() === repo.toLowerCase()));
  return allowed ? undefined : `runner group ${group.name} is not available to ${owner}/${repo}`;
}

/** Whether a group lets a workflow (`owner/repo/path@ref`) use its runners. */
export function groupAllowsWorkflow(group: FakeRunnerGroup, workflowRef: string): string | undefined {
  if (!group.restrictedToWorkflows) return undefined;
  const allowed = group.selectedWorkflows.some((w) => w.toLowerCase() === workflowRef.toLowerCase());
  return allowed ? undefined : `runner group ${group.name} is restricted to ${group.selectedWorkflows.join(", ") || "no workflow"}, not ${workflowRef}`;
}

type RunnerGroupJson = components["schemas"]["runner-groups-org"];

/** GitHub's `runner-groups-org` shape. */
export function groupJson(group: FakeRunnerGroup, apiUrl: string, org: string): RunnerGroupJson {
  const base = `${apiUrl}/orgs/${org}/actions/runner-groups/${group.id}`;
  return {
    id: group.id,
    name: group.name,
    visibility: group.visibility,
    default: group.default,
    ...(group.visibility === "selected" ? { selected_repositories_url: `${base}/repositories` } : {}),
    runners_url: `${base}/runners`,
    inherited: false,
    allows_public_repositories: group.allowsPublicRepositories,
    restricted_to_workflows: group.restrictedToWorkflows,
    selected_workflows: [...group.selectedWorkflows],
    workflow_restrictions_read_only: false,
  };
}
