#!/usr/bin/env bash
# install phase: make sure an actions/runner for this machine's architecture is in
# RUNWAY_RUNNER_DIR. In order of preference:
#   1. a runner preinstalled in the image (run.sh there) is used as is;
#   2. the release the stage's runner-release function recorded in
#      s3://$RUNWAY_ARTIFACTS_BUCKET/runner/current.json, copied from the bucket: in-region, and a
#      GitHub outage does not stop the build;
#   3. with no usable record (the stage's resolver has not run yet, or the record cannot be read),
#      the release pinned in runner.yml, downloaded from GitHub.
# Either archive is extracted only once its sha256 matched, so nothing unverified ever runs.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"

# Written by the runner-release function (lib/runners/release/record.ts), after the archives it names.
readonly RUNNER_RECORD_KEY=runner/current.json
readonly VERSION_PATTERN='^[0-9]+\.[0-9]+\.[0-9]+$'

# Sets RUNNER_ARCH to actions/runner's name for this machine: x64 or arm64. Not a function whose
# output is captured: a failure here must end the build, not a subshell.
detect_arch() {
  local machine
  machine=$(uname -m)
  case $machine in
    x86_64 | amd64) RUNNER_ARCH=x64 ;;
    aarch64 | arm64) RUNNER_ARCH=arm64 ;;
    *) fail_setup "this build runs on $machine, but Runway installs actions/runner for x86_64 (linux-x64) and aarch64 (linux-arm64) only: use a CodeBuild Linux x86_64 or arm64 image" ;;
  esac
}

# verify_checksum FILE EXPECTED WHAT FROM HINT: ends the build unless FILE's sha256 is EXPECTED
# (taken FROM a record or a variable).
verify_checksum() {
  local expected actual
  expected=${2,,}
  actual=$(sha256sum "$1" | cut -d ' ' -f 1)
  [[ $actual == "$expected" ]] ||
    fail_setup "checksum mismatch for $3: got sha256 $actual, expected $expected ($4). Refusing to run it; $5"
}

# extract ARCHIVE DIR WHAT: unpacks a verified archive and checks it is a runner.
extract() {
  mkdir -p "$2"
  tar -xzf "$1" -C "$2"
  [[ -f $2/run.sh ]] || fail_setup "$3 has no run.sh: it is not an actions/runner archive"
}

# record_field FILE JQ_PATH PATTERN: prints the record's field when it matches PATTERN, else fails.
record_field() {
  jq -er --arg pattern "$3" "$2 | strings | select(test(\$pattern))" "$1" 2>/dev/null
}

# install_recorded DIR: installs the recorded release and sets INSTALLED; leaves INSTALLED empty
# when there is no usable record, so that main falls back to the pinned download. (It always
# returns 0: a function called as a condition would run without errexit.) A recorded archive whose
# checksum does not match ends the build: the bucket holds something the resolver never verified.
INSTALLED=
install_recorded() {
  local dir=$1 tmp status=0 version key expected resolved where
  if ! valid_bucket; then
    log "RUNWAY_ARTIFACTS_BUCKET is unset or not a bucket name: no recorded runner release to read"
    return 0
  fi
  # The AWS CLI is in CodeBuild's images; the whole build needs it (markers, status.json).
  require_tools aws jq sha256sum tar
  tmp=$(mktemp -d)
  s3_fetch "$RUNNER_RECORD_KEY" "$tmp/current.json" || status=$?
  if ((status == 1)); then
    log "no runner release recorded at $(s3_uri "$RUNNER_RECORD_KEY") yet (the stage's runner-release function records one within an hour of deployment)"
    rm -rf "$tmp"
    return 0
  elif ((status != 0)); then
    warn "could not read $(s3_uri "$RUNNER_RECORD_KEY"): $S3_ERROR"
    rm -rf "$tmp"
    return 0
  fi
  if ! version=$(record_field "$tmp/current.json" .version "$VERSION_PATTERN") ||
    ! key=$(record_field "$tmp/current.json" ".archives.$RUNNER_ARCH.key" '^runner/[0-9]+\.[0-9]+\.[0-9]+/[A-Za-z0-9._-]+\.tar\.gz$') ||
    ! expected=$(record_field "$tmp/current.json" ".archives.$RUNNER_ARCH.sha256" '^[0-9a-f]{64}$'); then
    warn "$(s3_uri "$RUNNER_RECORD_KEY") names no linux-$RUNNER_ARCH archive with its version, key and sha256: ignoring it"
    rm -rf "$tmp"
    return 0
  fi
  resolved=$(jq -r '.resolvedAt // "?"' "$tmp/current.json")
  where=$(s3_uri "$key")
  log "installing actions/runner $version (linux-$RUNNER_ARCH) from $where, recorded $resolved"
  status=0
  s3_fetch "$key" "$tmp/runner.tar.gz" || status=$?
  if ((status != 0)); then
    warn "could not copy $where: ${S3_ERROR:-not found}"
    rm -rf "$tmp"
    return 0
  fi
  verify_checksum "$tmp/runner.tar.gz" "$expected" "$where" "$RUNNER_RECORD_KEY" \
    "the archive in the bucket is not the one runner-release verified and recorded in $RUNNER_RECORD_KEY. Delete both, then run the stage's runner-release function to copy the release again."
  extract "$tmp/runner.tar.gz" "$dir" "$where"
  rm -rf "$tmp"
  INSTALLED=$version
  log "actions/runner $version (linux-$RUNNER_ARCH) installed in $dir from the artifacts bucket (sha256 verified)"
}

# The pinned checksum for this architecture and the variable it came from. RUNWAY_RUNNER_SHA256,
# the single checksum of older Runway, still pins the x64 archive when set.
pinned_checksum() {
  if [[ $RUNNER_ARCH == x64 && -n ${RUNWAY_RUNNER_SHA256:-} ]]; then
    PIN_VARIABLE=RUNWAY_RUNNER_SHA256
  elif [[ $RUNNER_ARCH == x64 ]]; then
    PIN_VARIABLE=RUNWAY_RUNNER_SHA256_X64
  else
    PIN_VARIABLE=RUNWAY_RUNNER_SHA256_ARM64
  fi
  PIN_SHA256=${!PIN_VARIABLE:-}
}

download_pinned() {
  local dir=$1 name url tmp
  require_env RUNWAY_RUNNER_VERSION
  [[ $RUNWAY_RUNNER_VERSION =~ $VERSION_PATTERN ]] ||
    fail_setup "RUNWAY_RUNNER_VERSION \"$RUNWAY_RUNNER_VERSION\" is not a runner release like 2.338.0"
  pinned_checksum
  [[ $PIN_SHA256 =~ ^[0-9a-fA-F]{64}$ ]] ||
    fail_setup "refusing to download actions/runner $RUNWAY_RUNNER_VERSION without its checksum: set $PIN_VARIABLE to the linux-$RUNNER_ARCH sha256 published in that release's notes"
  require_tools curl sha256sum tar
  name="actions-runner-linux-$RUNNER_ARCH-$RUNWAY_RUNNER_VERSION.tar.gz"
  # Where releases are downloaded from: github.com's, unless the stage mirrors them (an Enterprise
  # Server without a route to github.com): RUNWAY_RUNNER_DOWNLOAD_URL/v<version>/<archive>.
  url="${RUNWAY_RUNNER_DOWNLOAD_URL:-https://github.com/actions/runner/releases/download}/v$RUNWAY_RUNNER_VERSION/$name"
  tmp=$(mktemp -d)
  log "downloading the pinned actions/runner $RUNWAY_RUNNER_VERSION (linux-$RUNNER_ARCH) from $url"
  curl --fail --silent --show-error --location --retry 3 --output "$tmp/runner.tar.gz" "$url" ||
    fail_setup "could not download $url"
  verify_checksum "$tmp/runner.tar.gz" "$PIN_SHA256" "$name" "$PIN_VARIABLE" \
    "when changing RUNWAY_RUNNER_VERSION, set $PIN_VARIABLE to that release's published checksum."
  extract "$tmp/runner.tar.gz" "$dir" "$url"
  rm -rf "$tmp"
  log "actions/runner $RUNWAY_RUNNER_VERSION (linux-$RUNNER_ARCH) installed in $dir from GitHub (sha256 verified)"
}

main() {
  require_env RUNWAY_RUNNER_DIR
  if [[ -f $RUNWAY_RUNNER_DIR/run.sh ]]; then
    log "using the runner preinstalled in $RUNWAY_RUNNER_DIR"
    return 0
  fi
  detect_arch
  install_recorded "$RUNWAY_RUNNER_DIR"
  [[ -n $INSTALLED ]] || download_pinned "$RUNWAY_RUNNER_DIR"
}

main "$@"
