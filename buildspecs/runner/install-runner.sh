#!/usr/bin/env bash
# install phase: make sure an actions/runner is in RUNWAY_RUNNER_DIR. A custom image that has it
# preinstalled (run.sh present) skips the download; otherwise the pinned release is downloaded and
# refused unless its sha256 matches RUNWAY_RUNNER_SHA256.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"

release_url() {
  printf 'https://github.com/actions/runner/releases/download/v%s/actions-runner-linux-x64-%s.tar.gz' "$1" "$1"
}

check_pin() {
  require_env RUNWAY_RUNNER_VERSION
  [[ $RUNWAY_RUNNER_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
    fail_setup "RUNWAY_RUNNER_VERSION \"$RUNWAY_RUNNER_VERSION\" is not a runner release like 2.338.0"
  [[ ${RUNWAY_RUNNER_SHA256:-} =~ ^[0-9a-fA-F]{64}$ ]] ||
    fail_setup "refusing to download actions/runner $RUNWAY_RUNNER_VERSION without its checksum: set RUNWAY_RUNNER_SHA256 to the linux-x64 sha256 published in that release's notes"
  [[ $(uname -m) == x86_64 ]] ||
    fail_setup "the pinned download is linux-x64 but this image is $(uname -m): use an image with the runner preinstalled in RUNWAY_RUNNER_DIR"
}

# verify_checksum FILE: ends the build unless FILE's sha256 is the pinned one.
verify_checksum() {
  local expected actual
  expected=${RUNWAY_RUNNER_SHA256,,}
  actual=$(sha256sum "$1" | cut -d ' ' -f 1)
  [[ $actual == "$expected" ]] ||
    fail_setup "checksum mismatch for actions-runner-linux-x64-$RUNWAY_RUNNER_VERSION.tar.gz: got sha256 $actual, expected $expected (RUNWAY_RUNNER_SHA256). Refusing to run it; when changing RUNWAY_RUNNER_VERSION, set RUNWAY_RUNNER_SHA256 to that release's published checksum."
}

download_runner() {
  local dir=$1 url tmp
  check_pin
  require_tools curl sha256sum tar
  url=$(release_url "$RUNWAY_RUNNER_VERSION")
  tmp=$(mktemp -d)
  # The archive is extracted only after its checksum matched, so nothing unverified ever runs.
  log "downloading actions/runner $RUNWAY_RUNNER_VERSION from $url"
  curl --fail --silent --show-error --location --retry 3 --output "$tmp/runner.tar.gz" "$url" ||
    fail_setup "could not download $url"
  verify_checksum "$tmp/runner.tar.gz"
  mkdir -p "$dir"
  tar -xzf "$tmp/runner.tar.gz" -C "$dir"
  rm -rf "$tmp"
  [[ -f $dir/run.sh ]] || fail_setup "the runner archive from $url has no run.sh"
  log "actions/runner $RUNWAY_RUNNER_VERSION installed in $dir (sha256 verified)"
}

main() {
  require_env RUNWAY_RUNNER_DIR
  if [[ -f $RUNWAY_RUNNER_DIR/run.sh ]]; then
    log "using the runner preinstalled in $RUNWAY_RUNNER_DIR"
    return 0
  fi
  download_runner "$RUNWAY_RUNNER_DIR"
}

main "$@"
