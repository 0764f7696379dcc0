#!/usr/bin/env bash
# pre_build phase: check the launcher's side of the contract before the runner registers, so a
# misconfigured launch fails in seconds with a message instead of idling for the whole window.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"

main() {
  require_build_context
  require_env CODEBUILD_SRC_DIR RUNWAY_RUNNER_DIR RUNWAY_JOB_ID RUNWAY_RUN_ATTEMPT RUNWAY_IDLE_TIMEOUT_SECONDS
  require_positive_int RUNWAY_IDLE_TIMEOUT_SECONDS
  # Checked for presence only: its value is never printed, compared or written anywhere.
  [[ -n ${RUNWAY_JIT_CONFIG:-} ]] ||
    fail_setup "RUNWAY_JIT_CONFIG is empty: the launcher passes the runner's JIT config as a PARAMETER_STORE or SECRETS_MANAGER variable"
  require_tools aws jq setsid find
  [[ -f $RUNWAY_RUNNER_DIR/run.sh ]] || fail_setup "no runner at $RUNWAY_RUNNER_DIR/run.sh (the install phase puts it there)"
  log "runner $RUNWAY_RUNNER_NAME of environment $RUNWAY_ENVIRONMENT for job $RUNWAY_JOB_ID (attempt $RUNWAY_RUN_ATTEMPT); idle window ${RUNWAY_IDLE_TIMEOUT_SECONDS} s; records under $(s3_uri "$(build_prefix)/")"
}

main "$@"
