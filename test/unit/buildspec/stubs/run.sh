#!/usr/bin/env bash
# Test double for actions/runner's run.sh (runner buildspec tests). STUB_RUNNER_MODE: `job` (takes
# a job: writes a Worker log, exits 0), `idle` (never gets a job: waits until stopped by SIGTERM), `crash`
# (exits 1 before any job), `job-crash` (takes a job, then exits 1). STUB_JOB_LEGACY_FILE=1 makes
# the job leave the legacy failure file in its workspace. Records in
# $STUB_RECORD_DIR/runner-call.json its arguments, whether RUNWAY_JIT_CONFIG leaked into its
# environment, the sha256 of the JIT config it was handed and RUNNER_ALLOW_RUNASROOT; its pid in
# runner.pid; and, in milliseconds since the epoch, when it started (runner-started-ms) and, idle,
# when it was asked to stop (runner-stopped-ms).
set -euo pipefail
ms() { local t=${EPOCHREALTIME/[.,]/}; echo "$((10#$t / 1000))"; }
started=$(ms)
dir=$(cd "$(dirname "$0")" && pwd)
# The listener's log exists from its first moment, as actions/runner's does, before anything that
# takes time: a runner stopped early has it all the same.
mkdir -p "$dir/_diag"
echo "listener trace" >"$dir/_diag/Runner_20261123-100000-utc.log"
echo "$started" >"$STUB_RECORD_DIR/runner-started-ms"
echo "$$" >"$STUB_RECORD_DIR/runner.pid"
jit_sha=$(printf '%s' "${ACTIONS_RUNNER_INPUT_JITCONFIG:-}" | sha256sum | cut -d ' ' -f 1)
jq -cn --arg jitSha256 "$jit_sha" --arg allowRoot "${RUNNER_ALLOW_RUNASROOT:-}" \
  '{args: $ARGS.positional, runwayJitInEnv: (env.RUNWAY_JIT_CONFIG != null), jitSha256: $jitSha256, allowRunAsRoot: $allowRoot}' \
  --args -- "$@" >"$STUB_RECORD_DIR/runner-call.json"
echo "√ Connected to GitHub"
echo "Current runner version: '2.338.0'"
echo "Listening for Jobs"
mode=${STUB_RUNNER_MODE:-job}
case $mode in
  job | job-crash)
    echo "worker trace" >"$dir/_diag/Worker_20261123-100001-utc.log"
    echo "Running job: Deploy"
    if [[ -n ${STUB_JOB_LEGACY_FILE:-} ]]; then
      mkdir -p "$dir/_work/app/app/results"
      echo "smoke test against stg failed" >"$dir/_work/app/app/results/failure_build_$CODEBUILD_BUILD_ID.txt"
    fi
    if [[ $mode == job-crash ]]; then
      echo "Runner.Worker crashed" >&2
      exit 1
    fi
    echo "Job Deploy completed with result: ${STUB_JOB_RESULT:-Succeeded}"
    ;;
  idle)
    # Stopped as the listener is, by SIGTERM; the status is a TERM-killed process's.
    trap 'ms >"$STUB_RECORD_DIR/runner-stopped-ms"; exit 143' TERM
    sleep 300 &
    wait $!
    ;;
  crash)
    echo "Failed to create a session. The runner registration has been deleted from the server." >&2
    exit 1
    ;;
esac
