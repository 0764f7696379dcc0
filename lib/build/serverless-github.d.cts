/** Types of serverless-github.cjs, for the TypeScript that shares it (the local stack, the CLI). */

export type GitHubKind = "github.com" | "ghe.com" | "enterprise-server";

export interface GitHubEndpoints {
  kind: GitHubKind;
  /** GITHUB_SERVER_URL: the web address, no trailing slash. */
  serverUrl: string;
  /** GITHUB_API_URL: the REST API base, no trailing slash. */
  apiUrl: string;
}

export declare const GITHUB_COM: string;
export declare const RUNNER_RELEASES_URL: string;

export declare class GitHubUrlError extends Error {
  constructor(message: string);
}

/** @throws GitHubUrlError saying what to give instead. */
export declare function githubEndpoints(url?: string, name?: string): GitHubEndpoints;

/** @throws GitHubUrlError saying what to give instead. */
export declare function runnerReleasesUrl(url?: string, name?: string): string;

type Variables = { resolveVariable(name: string): Promise<unknown> };
export declare function endpoints(variables: Variables): Promise<GitHubEndpoints>;
export declare function releases(variables: Variables): Promise<string>;
