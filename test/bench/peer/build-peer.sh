#!/usr/bin/env bash
# Rebuilds the leading peer's webhook Lambda for test/bench/peer-first-delivery.ts, from a
# snapshot of github-aws-runners/terraform-aws-github-runner (a bare git directory, such as the
# one the session's `fetch` tool writes under /work/.mirror), with no GitHub network:
#
#   test/bench/peer/build-peer.sh [snapshot git dir] [peer dir (default /tmp/peer)]
#
# 1. extracts the snapshot's lambdas/ into <peer dir>/src/lambdas (nothing lands in this repo);
# 2. installs its dependencies with the Yarn release the peer commits (.yarn/releases), from the
#    npm registry, pinned by its yarn.lock (immutable): only the webhook's workspace and the
#    control-plane's, because the webhook's libs/aws-ssm-util imports
#    @aws-lambda-powertools/parameters, which only control-plane declares (Yarn hoists it);
# 3. bundles functions/webhook/src/lambda.ts as lib/build/bundle.ts bundles Runway's functions
#    (peer/bundle-peer.ts) into <peer dir>/build/webhook/index.mjs, with bundle.json (sizes) and
#    SOURCE (the snapshot's commit) beside it.
#
# Then: RUNWAY_PEER_BUNDLE=<peer dir>/build/webhook/index.mjs node test/bench/peer-first-delivery.ts
set -euo pipefail

snapshot=${1:-/work/.mirror/github-aws-runners+terraform-aws-github-runner/repo}
peer=${2:-/tmp/peer}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
node="$root/node_modules/.bin/node" # Node 24, as the peer's .nvmrc and Runway's bundles target

if ! commit=$(git --git-dir="$snapshot" rev-parse --verify HEAD 2>/dev/null); then
  echo "build-peer.sh: $snapshot is not a git directory; pass the peer's snapshot (fetch github:github-aws-runners/terraform-aws-github-runner)" >&2
  exit 2
fi
[[ -x "$node" ]] || { echo "build-peer.sh: $node not found; run npm ci in $root first" >&2; exit 2; }

rm -rf "$peer/src" "$peer/build"
mkdir -p "$peer/src"
git --git-dir="$snapshot" archive "$commit" lambdas | tar -x -C "$peer/src"
lambdas="$peer/src/lambdas"

yarn_path=$(sed -n 's/^yarnPath: *//p' "$lambdas/.yarnrc.yml")
(
  cd "$lambdas"
  YARN_NPM_REGISTRY_SERVER=https://registry.npmjs.org \
    YARN_ENABLE_IMMUTABLE_INSTALLS=true \
    YARN_ENABLE_GLOBAL_CACHE=false \
    YARN_CACHE_FOLDER="$peer/yarn-cache" \
    YARN_ENABLE_TELEMETRY=0 \
    "$node" "$yarn_path" workspaces focus @aws-github-runner/webhook @aws-github-runner/control-plane
)

"$node" "$root/test/bench/peer/bundle-peer.ts" "$lambdas" "$peer/build/webhook"
echo "$commit" >"$peer/build/webhook/SOURCE"
echo "RUNWAY_PEER_BUNDLE=$peer/build/webhook/index.mjs  # terraform-aws-github-runner@$commit"
