/**
 * The `runs-on` labels of GitHub's own hosted runners (docs: "GitHub-hosted runners", "Larger
 * runners"), matched exactly: `ubuntu-runway` is somebody's self-hosted label, `ubuntu-24.04` is
 * GitHub's. A job that names one of these is GitHub's to run, never Runway's: launching a runner
 * for it would run code GitHub meant for a throwaway VM on a platform role.
 */
const HOSTED = [
  /^ubuntu-(latest|slim|\d{2}\.\d{2}(-arm)?)$/i,
  /^windows-(latest|\d{4}(-vs\d{4})?|11-arm)$/i,
  /^macos-(latest|\d{2})(-large|-xlarge|-intel)?$/i,
];

/** Whether this label names one of GitHub's hosted runner images. */
export function isGitHubHostedLabel(label: string): boolean {
  return HOSTED.some((pattern) => pattern.test(label.trim()));
}

/** The labels of a `runs-on` list that name GitHub-hosted images. */
export function gitHubHostedLabels(labels: readonly string[]): string[] {
  return labels.filter(isGitHubHostedLabel);
}
