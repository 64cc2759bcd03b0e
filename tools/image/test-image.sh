#!/usr/bin/env bash
# npm run test:image [-- --no-cache]: builds the Dockerfile with podman and
# checks the image from itself alone (no mounts):
#   - `cli.ts --help` runs, and the image's own CMD starts the server;
#   - the demo becomes READY and answers POST /predictions (also under an
#     arbitrary user id);
#   - the Docker HEALTHCHECK command succeeds inside the running container;
#   - it runs as `node`, and carries the run.cog.* labels;
#   - the `weights` stage, built alone, runs its downloader and fails only on
#     the network (HF_ENDPOINT points at a .invalid host, so this holds on any
#     machine and never downloads 2.3 GB), never with a missing module.
# The base image is a local stand-in for node:20-bookworm-slim
# (standin-base.sh); podman settings and storage are the test's own
# (podman-env.sh). Needs root. Prints build and start times, and the size.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=tools/image
IMAGE_TEST_CACHE="${IMAGE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bge-m3-cog/image-test}"
export IMAGE_TEST_CACHE
. "$HERE/podman-env.sh"
. "$HERE/standin-base.sh"

IMAGE=localhost/bge-m3-cog:image-test
READY_TIMEOUT_S="${READY_TIMEOUT_S:-300}"
NO_CACHE=()
[ "${1:-}" = --no-cache ] && NO_CACHE=(--no-cache)
WORK="$(mktemp -d "${TMPDIR:-/tmp}/image-test.XXXXXX")"
CONTAINERS=()
cleanup() {
  local c
  for c in "${CONTAINERS[@]}"; do podman rm -f "$c" > /dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
now_ms() { date +%s%3N; }
seconds_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }
free_port() { node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"; }
# Reads JSON on stdin and runs a check on it as `j`; the check throws or prints.
json() { node -e "let j = JSON.parse(require('fs').readFileSync(0, 'utf8')); $1"; }

# Polls GET /health-check until its status is one of $2 (a regex), the
# container stops, or READY_TIMEOUT_S passes; prints the last status.
wait_for_health() {
  local port=$1 wanted=$2 container=$3 deadline=$((SECONDS + READY_TIMEOUT_S)) status=''
  while [ $SECONDS -lt $deadline ]; do
    status="$(curl -fsS -m 5 "http://127.0.0.1:$port/health-check" 2>/dev/null | json 'console.log(j.status)' 2>/dev/null || true)"
    if [[ "$status" =~ ^($wanted)$ ]]; then echo "$status"; return 0; fi
    if [ "$(podman inspect -f '{{.State.Running}}' "$container")" != true ]; then
      podman logs "$container" >&2 || true
      fail "the container stopped before /health-check answered $wanted"
    fi
    sleep 0.5
  done
  podman logs "$container" >&2 || true
  fail "/health-check did not answer $wanted within ${READY_TIMEOUT_S} s (last: ${status:-no answer})"
}

# start NAME podman-run-arguments...: a detached container, removed on exit.
start() {
  local name="bge-m3-cog-image-test-$$-$1"
  shift
  CONTAINERS+=("$name")
  podman run -d --name "$name" --network=host --no-healthcheck "$@" > /dev/null
}

podman_env_setup
STANDIN="$(standin_image)"
echo "== Base image: $STANDIN"

echo "== Building $IMAGE (SKIP_WEIGHTS=1${NO_CACHE:+, --no-cache})"
t0=$(now_ms)
if ! podman build "${NO_CACHE[@]}" --format docker --network=host --pull=never \
  --build-arg NODE_IMAGE="$STANDIN" --build-arg SKIP_WEIGHTS=1 -t "$IMAGE" . > "$WORK/build.log" 2>&1; then
  tail -40 "$WORK/build.log" >&2
  fail "podman build failed (last lines above)"
fi
BUILD_S="$(seconds_since "$t0")"
SIZE_MB="$(podman image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%d", $1 / 1e6 }')"
echo "   built in ${BUILD_S} s; image size ${SIZE_MB} MB"

echo "== cli.ts --help"
podman run --rm --network=host --no-healthcheck "$IMAGE" node --import tsx cli.ts --help > "$WORK/help.txt" 2>&1 ||
  { cat "$WORK/help.txt" >&2; fail "cli.ts --help failed in the image"; }
grep -q '^Usage: ' "$WORK/help.txt" || { cat "$WORK/help.txt" >&2; fail "cli.ts --help printed no usage"; }

echo "== Runs as node; labels"
[ "$(podman image inspect -f '{{.Config.User}}' "$IMAGE")" = node ] || fail "the image's USER is not node"
podman image inspect -f '{{json .Labels}}' "$IMAGE" | json '
  for (const k of ["run.cog.version", "run.cog.config", "run.cog.openapi_schema"]) if (!j[k]) throw new Error("label " + k + " is missing");
  const config = JSON.parse(j["run.cog.config"]);
  if (config.predict !== "predict.ts:Predictor") throw new Error("run.cog.config predict is " + config.predict);
  if (!JSON.parse(j["run.cog.openapi_schema"]).components.schemas.Input) throw new Error("the openapi label has no Input schema");
' || fail "the image's run.cog labels are wrong"

echo "== Demo: READY, POST /predictions, HEALTHCHECK inside the container"
PORT="$(free_port)"
t0=$(now_ms)
DEMO="bge-m3-cog-image-test-$$-demo"
start demo -e PORT="$PORT" "$IMAGE" node --import tsx cli.ts demo
wait_for_health "$PORT" READY "$DEMO" > /dev/null
READY_S="$(seconds_since "$t0")"
echo "   READY ${READY_S} s after podman run"
[ "$(podman exec "$DEMO" id -un)" = node ] || fail "the container's processes do not run as node"
curl -fsS -m 60 -H 'content-type: application/json' -d '{"input":{"texts":["hello world","bonjour"]}}' "http://127.0.0.1:$PORT/predictions" | json '
  if (j.status !== "succeeded") throw new Error("prediction " + j.status + ": " + j.error);
  if (j.output.dense_vecs.length !== 2) throw new Error("expected 2 dense vectors");
' || fail "POST /predictions did not succeed"
# podman 4.3's --format template cannot reach .Healthcheck; its JSON has it.
HC_TEXT="$(podman image inspect "$IMAGE" | json '
  j = j[0].Healthcheck;
  if (!j || j.Test[0] !== "CMD") throw new Error("no exec-form HEALTHCHECK in the image: " + JSON.stringify(j));
  console.log(j.Test.slice(1).join("\n"));
')" || fail "the image has no HEALTHCHECK (podman build needs --format docker to keep it)"
mapfile -t HC <<< "$HC_TEXT"
podman exec "$DEMO" "${HC[@]}" > "$WORK/health.txt" 2>&1 || { cat "$WORK/health.txt" >&2; fail "the HEALTHCHECK command (${HC[*]}) failed in the running container"; }
echo "   HEALTHCHECK (${HC[*]}): $(cat "$WORK/health.txt")"
podman exec "$DEMO" sh -c 'ls /src/.cache/test-models/*/official/tokenizer.json' > /dev/null ||
  fail "the demo did not generate its model in the node user's /src/.cache"
podman rm -f "$DEMO" > /dev/null

echo "== Demo under an arbitrary user id (as OpenShift runs images): the model goes to /tmp"
PORT="$(free_port)"
ANYUID="bge-m3-cog-image-test-$$-anyuid"
start anyuid --user 12345:0 -e PORT="$PORT" "$IMAGE" node --import tsx cli.ts demo
wait_for_health "$PORT" READY "$ANYUID" > /dev/null
podman exec "$ANYUID" sh -c 'ls /tmp/bge-m3-test-models/*/official/tokenizer.json' > /dev/null ||
  fail "under another user id, the demo's model is not under /tmp/bge-m3-test-models"
podman rm -f "$ANYUID" > /dev/null

echo "== The image's own CMD starts the server (no weights: it answers /health-check while it fetches them)"
PORT="$(free_port)"
SERVE="bge-m3-cog-image-test-$$-serve"
start serve -e PORT="$PORT" -e HF_ENDPOINT=https://huggingface.invalid "$IMAGE"
STATUS="$(wait_for_health "$PORT" 'STARTING|SETUP_FAILED|READY' "$SERVE")"
echo "   /health-check: $STATUS"
podman rm -f "$SERVE" > /dev/null

echo "== The weights stage alone fails only on the network"
if podman build --format docker --network=host --pull=never --target weights \
  --build-arg NODE_IMAGE="$STANDIN" --build-arg HF_ENDPOINT=https://huggingface.invalid \
  -t localhost/bge-m3-cog:image-test-weights . > "$WORK/weights.log" 2>&1; then
  fail "the weights stage succeeded with an unreachable HF_ENDPOINT"
fi
if grep -qE 'ERR_MODULE_NOT_FOUND|Cannot find (module|package)' "$WORK/weights.log"; then
  tail -30 "$WORK/weights.log" >&2
  fail "the weights stage lacks a file its downloader needs (above)"
fi
grep -E 'Cannot reach huggingface\.invalid' "$WORK/weights.log" | head -1 | sed 's/^/   /' | grep . ||
  { tail -30 "$WORK/weights.log" >&2; fail "the weights stage failed, but not with the downloader's network error (above)"; }

echo "PASS: image ${SIZE_MB} MB, built in ${BUILD_S} s, demo READY in ${READY_S} s"
