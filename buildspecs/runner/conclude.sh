#!/usr/bin/env bash
# post_build phase: decide the build's outcome. The runner exits 0 whatever its job's result, so the
# verdict comes from the job's conclusion that Runway recorded
# (markers/<environment>/<runner-name>.json), the legacy results/failure_build_<build-id>.txt
# files, and what start-runner.sh saw. Records the verdict in builds/<build-id>/status.json,
# uploads _diag when the build fails, and exits with the verdict's code (buildspecs/README.md lists them).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"

CONCLUSION=""   # the job's conclusion from the marker, "" when there is none
MARKER_NOTE=""  # why there is no usable conclusion
LEGACY_FILES=() # where legacy failure files were found
LEGACY_ERROR="" # why the S3 legacy file could not be checked
REASON="" CODE=0 MESSAGE=""

# --- evidence ------------------------------------------------------------------------------------

find_legacy_failure_files() {
  local name file rc=0 copy
  name=$(legacy_failure_name)
  if [[ -f $CODEBUILD_SRC_DIR/results/$name ]]; then
    LEGACY_FILES+=("$CODEBUILD_SRC_DIR/results/$name")
  fi
  if [[ -d $RUNWAY_RUNNER_DIR/_work ]]; then
    while IFS= read -r -d '' file; do
      LEGACY_FILES+=("$file")
    done < <(find "$RUNWAY_RUNNER_DIR/_work" -maxdepth 8 \( -name .git -o -name node_modules \) -prune \
      -o -type f -path "*/results/$name" -print0)
  fi
  copy=$(state_file legacy-s3.txt)
  s3_fetch "results/$name" "$copy" || rc=$?
  case $rc in
    0) LEGACY_FILES+=("$(s3_uri "results/$name")") ;;
    1) ;;
    *) LEGACY_ERROR="could not check $(s3_uri "results/$name"): $S3_ERROR" ;;
  esac
  if ((${#LEGACY_FILES[@]} > 0)); then
    printf '%s\n' "${LEGACY_FILES[@]}" >"$(state_file legacy-files)"
  fi
}

# First line of the first legacy file, printable characters only: teams write the reason there.
legacy_excerpt() {
  local first=${LEGACY_FILES[0]}
  [[ $first == s3://* ]] && first=$(state_file legacy-s3.txt)
  head -c 2000 "$first" | head -n 1 | tr -cd '[:print:]' | cut -c 1-200
}

# accept_marker FILE: keeps the marker when it is a JSON object with a conclusion.
accept_marker() {
  if ! jq -e 'type == "object" and (.conclusion | type == "string")' "$1" >/dev/null 2>&1; then
    MARKER_NOTE="$(s3_uri "$(marker_key)") is not a JSON object with a \"conclusion\""
    return 0
  fi
  mv "$1" "$(state_file marker.json)"
  CONCLUSION=$(jq -r '.conclusion' "$(state_file marker.json)")
  local ran
  ran=$(jq -r '.jobId // empty | tostring' "$(state_file marker.json)")
  if [[ -n $ran && $ran != "${RUNWAY_JOB_ID:-}" ]]; then
    # A JIT runner takes any queued job of its run whose labels it covers: not an error.
    log "runner $RUNWAY_RUNNER_NAME ran job $ran (it was launched for job ${RUNWAY_JOB_ID:-unknown})"
  fi
}

# read_conclusion WAIT_SECONDS: the completed event can arrive after the runner exits, so the
# marker is polled for a bounded time before the conclusion is declared unknown.
read_conclusion() {
  local wait=$1 started=$SECONDS rc download
  download=$(state_file marker.download)
  while :; do
    rc=0
    s3_fetch "$(marker_key)" "$download" || rc=$?
    case $rc in
      0)
        accept_marker "$download"
        return 0
        ;;
      1) MARKER_NOTE="$(s3_uri "$(marker_key)") does not exist" ;;
      *) MARKER_NOTE="could not read $(s3_uri "$(marker_key)"): $S3_ERROR" ;;
    esac
    ((SECONDS - started + RUNWAY_MARKER_POLL_SECONDS <= wait)) || return 0
    log "no conclusion recorded yet for runner $RUNWAY_RUNNER_NAME; looking again in ${RUNWAY_MARKER_POLL_SECONDS} s (up to ${wait} s)"
    sleep "$RUNWAY_MARKER_POLL_SECONDS"
  done
}

# --- verdict -------------------------------------------------------------------------------------

verdict() { REASON=$1 CODE=$2 MESSAGE=$3; }

job_details() {
  local marker steps url
  marker=$(state_file marker.json)
  steps=$(jq -r '(.failedSteps // []) | map(tostring) | join(", ")' "$marker")
  url=$(jq -r '.htmlUrl // "" | tostring' "$marker")
  [[ -n $steps ]] && printf ' at step(s): %s' "$steps"
  [[ $url == https://* ]] && printf ' (%s)' "$url"
  return 0
}

legacy_also() {
  if ((${#LEGACY_FILES[@]} > 0)); then
    printf '; the workflow also left %s' "${LEGACY_FILES[*]}"
  fi
}

# decide_from_conclusion: returns 1 when the conclusion does not settle the outcome.
decide_from_conclusion() {
  [[ -n $CONCLUSION ]] || return 1
  if [[ ! $CONCLUSION =~ ^[a-z_]{1,40}$ ]]; then
    verdict conclusion_unknown "$EXIT_CONCLUSION_UNKNOWN" "the marker's conclusion is not a GitHub conclusion; the build fails because the job's success cannot be confirmed"
    return 0
  fi
  case $CONCLUSION in
    failure | timed_out | startup_failure | action_required)
      verdict job_failed "$EXIT_JOB_FAILED" "job failed (conclusion $CONCLUSION)$(job_details)$(legacy_also)"
      ;;
    cancelled)
      verdict job_cancelled "$EXIT_JOB_CANCELLED" "the job was cancelled on GitHub$(job_details); the build fails so a cancelled deploy never reads as a successful one"
      ;;
    success | neutral | skipped) return 1 ;; # passes unless a legacy file says otherwise
    *)
      verdict conclusion_unknown "$EXIT_CONCLUSION_UNKNOWN" "unexpected conclusion \"$CONCLUSION\"$(job_details); the build fails because the job's success cannot be confirmed"
      ;;
  esac
}

decide_without_conclusion() {
  local runner_outcome=$1 runner_status
  runner_status=$(state_read runner-exit-code) || runner_status="unknown"
  case $runner_outcome in
    no_job)
      verdict no_job "$EXIT_NO_JOB" "runner received no job within ${RUNWAY_IDLE_TIMEOUT_SECONDS:-?} s; the job was cancelled or ran elsewhere. The runner was stopped and the build fails so it never reads as a job that passed."
      ;;
    exited_without_job)
      verdict runner_crashed "$EXIT_RUNNER_CRASHED" "the runner exited (status $runner_status) before any job arrived: it could not register or lost its session; see the runner's _diag logs"
      ;;
    job_ran)
      if [[ $runner_status != 0 ]]; then
        verdict runner_crashed "$EXIT_RUNNER_CRASHED" "the runner exited with status $runner_status while running its job and no conclusion was recorded ($MARKER_NOTE); see the runner's _diag logs"
      else
        verdict conclusion_unknown "$EXIT_CONCLUSION_UNKNOWN" "no conclusion recorded for runner $RUNWAY_RUNNER_NAME after waiting ${RUNWAY_MARKER_WAIT_SECONDS} s: $MARKER_NOTE. Runway writes it when GitHub's workflow_job \"completed\" event arrives; that event is late or was lost. The build fails because the job's success cannot be confirmed: check the job's result on GitHub and Runway's webhook logs."
      fi
      ;;
    *)
      verdict runner_crashed "$EXIT_RUNNER_CRASHED" "the runner never reported back: the build phase ended before recording what the runner did; see the build log above"
      ;;
  esac
}

decide() {
  decide_from_conclusion && return 0
  if ((${#LEGACY_FILES[@]} > 0)); then
    local excerpt
    excerpt=$(legacy_excerpt)
    verdict legacy_failure_file "$EXIT_LEGACY_FAILURE" "the workflow left $(legacy_failure_name) (${LEGACY_FILES[*]})${excerpt:+: $excerpt}"
  elif [[ -n $LEGACY_ERROR ]]; then
    verdict conclusion_unknown "$EXIT_CONCLUSION_UNKNOWN" "$LEGACY_ERROR. The build fails because a legacy failure file could be hiding there; the build role needs s3:GetObject on results/failure_build_<project>:* and s3:ListBucket on the bucket."
  elif [[ -n $CONCLUSION ]]; then
    verdict job_succeeded 0 "job succeeded (conclusion $CONCLUSION)$(job_details)"
  else
    decide_without_conclusion "$1"
  fi
}

# --- main ----------------------------------------------------------------------------------------

main() {
  require_build_context
  require_env CODEBUILD_SRC_DIR RUNWAY_RUNNER_DIR
  local runner_outcome wait=0
  runner_outcome=$(state_read runner-outcome) || runner_outcome=not_started
  # Only a runner that took a job makes a conclusion worth waiting for; otherwise look once, in
  # case a job ran here unnoticed.
  if [[ $runner_outcome == job_ran ]]; then
    wait=$RUNWAY_MARKER_WAIT_SECONDS
  fi

  find_legacy_failure_files
  read_conclusion "$wait"
  decide "$runner_outcome"

  if ((CODE != 0)); then
    bash "$HERE/upload-diag.sh" || warn "could not upload the runner's _diag logs"
  fi
  local outcome=SUCCEEDED
  ((CODE == 0)) || outcome=FAILED
  write_status "$outcome" "$REASON" "$CODE" "$MESSAGE" || warn "could not record status.json"
  log "$outcome ($REASON): $MESSAGE"
  exit "$CODE"
}

main "$@"
