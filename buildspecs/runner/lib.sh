# shellcheck shell=bash
# shellcheck disable=SC2034 # the exit codes and S3_ERROR are read by the scripts that source this
# Shared by the runner buildspec's scripts (buildspecs/runner.yml): messages, the build's context,
# the S3 layout and the build's status record. Each script sources it; it is never run on its own.
# Contract, S3 layout and outcomes: buildspecs/README.md.

# Only start-runner.sh hands the JIT config on, to the runner alone. Un-exporting it here keeps it
# readable by these scripts but out of the environment of every other child (aws, curl, tar).
export -n RUNWAY_JIT_CONFIG

# Internal knobs (the contract's defaults live in runner.yml's env block). Tests shorten them.
# The marker wait outlasts one redeliverer pass (every minute) and GitHub's redelivery: a lost
# `completed` is sent again in time for the verdict.
: "${RUNWAY_STATE_DIR:=/tmp/runway}"
: "${RUNWAY_MARKER_WAIT_SECONDS:=150}"
: "${RUNWAY_MARKER_POLL_SECONDS:=5}"
: "${RUNWAY_STOP_GRACE_SECONDS:=15}"
: "${RUNWAY_RUNNER_POLL_SECONDS:=1}"

# Exit codes, one per reason: CodeBuild shows "exit status N" in the failed phase's context, so
# the reason can be read from BatchGetBuilds without opening the logs.
readonly EXIT_JOB_FAILED=1
readonly EXIT_JOB_CANCELLED=2
readonly EXIT_LEGACY_FAILURE=3
readonly EXIT_NO_JOB=4
readonly EXIT_RUNNER_CRASHED=5
readonly EXIT_CONCLUSION_UNKNOWN=6
readonly EXIT_SETUP_FAILED=7

log() { printf '[runway] %s\n' "$*"; }
warn() { printf '[runway] warning: %s\n' "$*" >&2; }

# now_ms: milliseconds since the epoch, for time windows. Not bash's SECONDS: it counts whole
# wall-clock seconds, so a 1 s window measured with it closes anywhere from 0 s to 1 s after it
# opened. EPOCHREALTIME (bash 5: standard:7.0's Ubuntu 22.04, the Amazon Linux 2023 images) needs
# no process; GNU date's %N covers an older bash (Amazon Linux 2's 4.2, a custom image), and whole
# seconds are the last resort.
now_ms() {
  local micros
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    micros=${EPOCHREALTIME/[.,]/} # the separator follows the locale's decimal point
    printf '%s\n' "$((10#$micros / 1000))"
  elif micros=$(date +%s%6N 2>/dev/null) && [[ $micros =~ ^[0-9]+$ ]]; then
    printf '%s\n' "$((10#$micros / 1000))"
  else
    printf '%s\n' "$(($(date +%s) * 1000))"
  fi
}

# --- the build's context -------------------------------------------------------------------------

# Build ids are "<project>:<uuid>"; checking the shape keeps them safe in S3 keys and file names.
valid_build_id() { [[ ${CODEBUILD_BUILD_ID:-} =~ ^[A-Za-z0-9][A-Za-z0-9_-]*:[A-Za-z0-9-]+$ ]]; }
valid_bucket() { [[ ${RUNWAY_ARTIFACTS_BUCKET:-} =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]]; }
valid_runner_name() { [[ ${RUNWAY_RUNNER_NAME:-} =~ ^[A-Za-z0-9._-]{1,128}$ ]]; }
# runway.yml's environment names; the marker key and the build role's reach depend on it.
valid_environment() { [[ ${RUNWAY_ENVIRONMENT:-} =~ ^[a-z][a-z0-9-]{0,30}$ ]]; }
build_context_ok() { valid_build_id && valid_bucket && valid_runner_name; }

# Stops the build with EXIT_SETUP_FAILED when a named variable is unset or empty.
require_env() {
  local name missing=()
  for name in "$@"; do
    [[ -n ${!name:-} ]] || missing+=("$name")
  done
  if ((${#missing[@]} > 0)); then
    fail_setup "missing environment variable(s): ${missing[*]}. The launcher sets them on StartBuild and runner.yml's env block sets the defaults (a buildspec override must keep that block)."
  fi
}

require_positive_int() {
  [[ ${!1:-} =~ ^[1-9][0-9]*$ ]] || fail_setup "$1 must be a whole number of seconds above 0, not \"${!1:-}\""
}

require_tools() {
  local tool missing=()
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if ((${#missing[@]} > 0)); then
    fail_setup "the build image lacks: ${missing[*]}. Use a CodeBuild standard image or add them to the custom image."
  fi
}

require_build_context() {
  require_env CODEBUILD_BUILD_ID RUNWAY_ARTIFACTS_BUCKET RUNWAY_RUNNER_NAME RUNWAY_ENVIRONMENT
  valid_build_id || fail_setup "CODEBUILD_BUILD_ID \"$CODEBUILD_BUILD_ID\" is not a CodeBuild build id (<project>:<uuid>)"
  valid_bucket || fail_setup "RUNWAY_ARTIFACTS_BUCKET \"$RUNWAY_ARTIFACTS_BUCKET\" is not an S3 bucket name"
  valid_runner_name || fail_setup "RUNWAY_RUNNER_NAME \"$RUNWAY_RUNNER_NAME\" must be 1-128 letters, digits, dots, dashes or underscores"
  valid_environment || fail_setup "RUNWAY_ENVIRONMENT \"$RUNWAY_ENVIRONMENT\" is not a runway.yml environment name (lower-case letters, digits and dashes, at most 31)"
}

# --- state shared between phases (each phase runs its script in a new process) ------------------

state_file() { printf '%s/%s' "$RUNWAY_STATE_DIR" "$1"; }
state_put() {
  mkdir -p "$RUNWAY_STATE_DIR"
  printf '%s\n' "$2" >"$(state_file "$1")"
}
# Prints a recorded value; returns 1 when it was never recorded.
state_read() {
  local file
  file=$(state_file "$1")
  [[ -f $file ]] || return 1
  cat "$file"
}

# --- S3 layout (buildspecs/README.md) ------------------------------------------------------------

s3_uri() { printf 's3://%s/%s' "$RUNWAY_ARTIFACTS_BUCKET" "$1"; }
# The build id is used as is: S3 keys may hold ':', and the key then matches what every console shows.
build_prefix() { printf 'builds/%s' "$CODEBUILD_BUILD_ID"; }
# markers/<environment>/<runner-name>.json: the build's role may read its own environment's only.
marker_key() {
  if ! valid_environment; then
    warn "RUNWAY_ENVIRONMENT is unset or malformed: the conclusion marker is under markers/<environment>/ (the launcher and the project set it)"
    return 1
  fi
  printf 'markers/%s/%s.json' "$RUNWAY_ENVIRONMENT" "$RUNWAY_RUNNER_NAME"
}
legacy_failure_name() { printf 'failure_build_%s.txt' "$CODEBUILD_BUILD_ID"; }

# s3_fetch KEY DEST: returns 0 when fetched, 1 when the object does not exist, 2 on any other error,
# whose message is then in S3_ERROR. S3 answers 403 rather than 404 for a missing key when the
# caller lacks s3:ListBucket, so that permission is part of the build role.
s3_fetch() {
  local err
  if err=$(aws s3 cp "$(s3_uri "$1")" "$2" --only-show-errors 2>&1 >/dev/null); then
    return 0
  fi
  S3_ERROR=${err//$'\n'/ }
  case $err in
    *'(404)'* | *NoSuchKey* | *'does not exist'*) return 1 ;;
  esac
  return 2
}

# s3_put FILE KEY [CONTENT_TYPE]
s3_put() {
  local extra=()
  if [[ -n ${3:-} ]]; then
    extra=(--content-type "$3")
  fi
  aws s3 cp "$1" "$(s3_uri "$2")" --only-show-errors "${extra[@]}"
}

# --- the build's status record -------------------------------------------------------------------

# Prints status.json from the verdict and what the phases recorded in the state directory.
status_json() {
  local marker legacy
  marker=$(state_file marker.json)
  [[ -f $marker ]] || marker=/dev/null
  legacy=$(state_file legacy-files)
  [[ -f $legacy ]] || legacy=/dev/null
  jq -n \
    --arg outcome "$1" --arg reason "$2" --argjson exitCode "$3" --arg message "$4" \
    --arg buildId "$CODEBUILD_BUILD_ID" --arg runnerName "$RUNWAY_RUNNER_NAME" \
    --arg jobId "${RUNWAY_JOB_ID:-}" --arg runAttempt "${RUNWAY_RUN_ATTEMPT:-}" \
    --arg runnerOutcome "$(state_read runner-outcome || true)" \
    --arg runnerExitCode "$(state_read runner-exit-code || true)" \
    --arg diag "$(state_read diag-uri || true)" \
    --slurpfile marker "$marker" --rawfile legacy "$legacy" '
    def opt: if . == "" then null else . end;
    def num: if . == "" then null else (tonumber? // .) end;
    {
      buildId: $buildId,
      runnerName: $runnerName,
      outcome: $outcome,
      reason: $reason,
      exitCode: $exitCode,
      message: $message,
      launchedFor: { jobId: ($jobId | num), runAttempt: ($runAttempt | num) },
      job: ($marker[0] // null | if . == null then null else
        { conclusion, failedSteps: (.failedSteps // []), jobId, runAttempt, htmlUrl } end),
      runner: { outcome: ($runnerOutcome | opt), exitCode: ($runnerExitCode | num) },
      legacyFailureFiles: ($legacy | split("\n") | map(select(length > 0))),
      diagLogs: ($diag | opt),
      concludedAt: (now | todate)
    }'
}

# write_status OUTCOME REASON EXIT_CODE MESSAGE: records builds/<build-id>/status.json.
write_status() {
  if ! build_context_ok; then
    warn "status.json not written: CODEBUILD_BUILD_ID, RUNWAY_ARTIFACTS_BUCKET or RUNWAY_RUNNER_NAME is missing or malformed"
    return 1
  fi
  local file key
  mkdir -p "$RUNWAY_STATE_DIR"
  file=$(state_file status.json)
  key="$(build_prefix)/status.json"
  # Explicit returns: callers use `write_status … || warn`, which turns errexit off in here.
  status_json "$@" >"$file" || return 1
  s3_put "$file" "$key" application/json || return 1
  log "status recorded at $(s3_uri "$key")"
}

# fail_build REASON EXIT_CODE MESSAGE: records the failure (best effort) and ends the script.
fail_build() {
  log "FAILED ($1): $3"
  write_status FAILED "$1" "$2" "$3" || warn "could not record status.json for this failure"
  exit "$2"
}

fail_setup() { fail_build setup_failed "$EXIT_SETUP_FAILED" "$1"; }
