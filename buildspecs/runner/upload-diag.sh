#!/usr/bin/env bash
# Uploads the runner's _diag logs (listener and worker traces) to builds/<build-id>/runner-diag/.
# conclude.sh runs it when the build fails; it can also be run by hand inside a build.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"

main() {
  require_build_context
  require_env RUNWAY_RUNNER_DIR
  local diag=$RUNWAY_RUNNER_DIR/_diag uri
  if [[ ! -d $diag || -z $(find "$diag" -mindepth 1 -print -quit) ]]; then
    log "no runner _diag logs to upload"
    return 0
  fi
  uri=$(s3_uri "$(build_prefix)/runner-diag/")
  aws s3 cp "$diag" "$uri" --recursive --only-show-errors
  state_put diag-uri "$uri"
  log "runner _diag logs uploaded to $uri"
}

main "$@"
