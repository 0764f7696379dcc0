#!/usr/bin/env bash
# build phase: run the just-in-time runner until it has run its one job, or stop it when no job
# arrives within RUNWAY_IDLE_TIMEOUT_SECONDS. Records what the runner did for conclude.sh, which
# alone decides the build's outcome; so this script exits 0 whenever it recorded something.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"

RUNNER_PID=""

runner_alive() { kill -0 "$RUNNER_PID" 2>/dev/null; }

# The runner starts a Runner.Worker, which writes _diag/Worker_*.log, for every job it takes.
# Comparing with the launch time ignores logs a custom image might have left behind.
job_started() {
  local diag=$1 since=$2
  [[ -d $diag ]] || return 1
  [[ -n $(find "$diag" -maxdepth 1 -name 'Worker_*.log' -newer "$since" -print -quit) ]]
}

launch_runner() {
  local run=$1/run.sh
  # actions/runner refuses root unless told otherwise; CodeBuild runs builds as root.
  if ((EUID == 0)); then
    export RUNNER_ALLOW_RUNASROOT=1
  fi
  # ACTIONS_RUNNER_INPUT_JITCONFIG is the runner's environment form of --jitconfig. Unlike an
  # argument it is not in plain `ps` output, and the listener drops it before starting the job, so
  # a step that prints its environment or the process list does not leak it. (A job runs as the
  # same user and could still dig it out of /proc or the runner's files: this guards against
  # accidents, not against the job.) setsid gives the runner its own process group, so it stops whole.
  ACTIONS_RUNNER_INPUT_JITCONFIG=$RUNWAY_JIT_CONFIG setsid "$run" &
  RUNNER_PID=$!
  log "runner $RUNWAY_RUNNER_NAME started (pid $RUNNER_PID); waiting up to ${RUNWAY_IDLE_TIMEOUT_SECONDS} s for a job"
}

# await_job DIAG_DIR SINCE_FILE IDLE_SECONDS: returns 0 once a job started, 1 when the runner
# exited without one, 2 when the idle window passed with the runner still waiting.
# The window is measured in milliseconds (now_ms, lib.sh), so it lasts at least IDLE_SECONDS.
await_job() {
  local diag=$1 since=$2 idle=$3
  local deadline=$(($(now_ms) + idle * 1000))
  while runner_alive; do
    if job_started "$diag" "$since"; then
      return 0
    fi
    if (($(now_ms) >= deadline)); then
      return 2
    fi
    sleep "$RUNWAY_RUNNER_POLL_SECONDS"
  done
  # A quick job can start and finish between two looks.
  job_started "$diag" "$since" && return 0
  return 1
}

# SIGTERM lets the listener end its session with GitHub; SIGKILL only if it ignores that.
stop_runner() {
  local deadline=$(($(now_ms) + RUNWAY_STOP_GRACE_SECONDS * 1000))
  kill -TERM -- "-$RUNNER_PID" 2>/dev/null || true
  while runner_alive && (($(now_ms) < deadline)); do
    sleep "$RUNWAY_RUNNER_POLL_SECONDS"
  done
  if runner_alive; then
    warn "runner still running ${RUNWAY_STOP_GRACE_SECONDS} s after SIGTERM; killing it"
    kill -KILL -- "-$RUNNER_PID" 2>/dev/null || true
  fi
}

# record_runner OUTCOME: waits for the runner's exit status and records both for conclude.sh.
record_runner() {
  local status=0
  wait "$RUNNER_PID" || status=$?
  state_put runner-exit-code "$status"
  state_put runner-outcome "$1"
  log "runner exited with status $status ($1)"
}

main() {
  require_build_context
  require_env RUNWAY_RUNNER_DIR RUNWAY_IDLE_TIMEOUT_SECONDS RUNWAY_JIT_CONFIG
  require_positive_int RUNWAY_IDLE_TIMEOUT_SECONDS
  local dir=$RUNWAY_RUNNER_DIR since
  [[ -f $dir/run.sh ]] || fail_setup "no runner at $dir/run.sh (the install phase puts it there)"

  rm -f "$(state_file runner-outcome)" "$(state_file runner-exit-code)"
  since=$(state_file runner-launched)
  mkdir -p "$RUNWAY_STATE_DIR"
  : >"$since"
  launch_runner "$dir"

  local waited=0
  await_job "$dir/_diag" "$since" "$RUNWAY_IDLE_TIMEOUT_SECONDS" || waited=$?
  case $waited in
    0)
      log "job started; the runner exits when it is done"
      record_runner job_ran
      ;;
    1) record_runner exited_without_job ;;
    *)
      log "runner received no job within ${RUNWAY_IDLE_TIMEOUT_SECONDS} s; stopping it"
      stop_runner
      record_runner no_job
      ;;
  esac
}

main "$@"
