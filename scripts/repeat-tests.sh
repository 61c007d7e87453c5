#!/usr/bin/env bash
# Runs `npm test` N times (default 10) from one fresh clone of this repository's HEAD while two busy
# loops keep both cores loaded, and says whether every run passed. A test whose verdict depends on
# machine speed shows up here as a run that fails now and then.
#
#   scripts/repeat-tests.sh [N]
#
# Needs what `npm test` needs (README.md): PostgreSQL at LANDED_TEST_PG_URL, Chromium, and Toxiproxy
# (.tools/bin/server is copied from this checkout when it is there, else the harness builds it).
# KEEP_CLONE=1 keeps the clone. Each run's full output stays in the log directory printed at the end.
set -euo pipefail

runs="${1:-10}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [N]  (N ≥ 1 runs, default 10)" >&2
  exit 2
fi

source_dir="$(cd "$(dirname "$0")/.." && pwd)"
clone="$(mktemp -d "${TMPDIR:-/tmp}/landed-repeat-clone-XXXXXX")"
logs="$(mktemp -d "${TMPDIR:-/tmp}/landed-repeat-logs-XXXXXX")"
busy=()

cleanup() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${busy[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP_CLONE:-0}" = 1 ]; then echo "clone kept in $clone"; else rm -rf "$clone"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== cloning $(git -C "$source_dir" rev-parse --short HEAD) into $clone"
git clone --quiet --no-hardlinks "$source_dir" "$clone"
if [ -x "$source_dir/.tools/bin/server" ]; then
  mkdir -p "$clone/.tools/bin"
  cp "$source_dir/.tools/bin/server" "$clone/.tools/bin/server"
fi
cd "$clone"

echo "== npm ci"
npm ci --no-audit --no-fund >"$logs/npm-ci.log" 2>&1 || {
  tail -20 "$logs/npm-ci.log"
  exit 1
}

node_bin="$clone/node_modules/.bin/node"
[ -x "$node_bin" ] || node_bin="$(command -v node)"
for _ in 1 2; do
  "$node_bin" -e 'for(;;){}' &
  busy+=("$!")
done
echo "== both cores busy (pids ${busy[*]}); running npm test $runs times"

failed=0
for i in $(seq 1 "$runs"); do
  log="$logs/run-$i.log"
  status=0
  npm test >"$log" 2>&1 || status=$?
  line="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true)"
  [ -n "$line" ] || line="no closing line (exit $status)"
  if [ "$status" -ne 0 ]; then
    failed=$((failed + 1))
    echo "run $i/$runs: $line  FAILED, see $log"
  else
    echo "run $i/$runs: $line"
  fi
done

echo "== $((runs - failed)) of $runs runs passed, $failed failed (logs in $logs)"
[ "$failed" -eq 0 ]
