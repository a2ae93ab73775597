#!/usr/bin/env bash
# Seed 000's diagnosis through a running host (docs/benchmarks.md):
# the same plan twice (determinism) and a plan that states its evidence
# against one that does not, scored by the rubric scorer (no model mapped).
# usage: tests/bench/seed-000.sh   (after `cargo build --release` and the guests in target/guest)
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.sh
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
# Caching off, so the second run of a plan is scored again, not read back.
sed -e "s#target/guest#$PWD/target/guest#g" -e '/component = "diagnosis"/,/^cache/ s/^cache = true/cache = false/' \
  spin.toml > "$dir/spin.toml"
serve target/release/capsule "$dir"
diagnose() {
  python3 -c 'import json,sys; print(json.dumps({"input": [{"contents": open(sys.argv[1]).read()}]}))' "$1" \
    | curl -sf "$base/api/diagnosis/" -H 'content-type: application/json' -d @- --max-time 120
}
for plan in strong weak; do
  for run in 1 2; do
    start=$(date +%s.%N)
    diagnose "tests/bench/seed-000/$plan.txt" > "$dir/$plan-$run.json"
    echo "$plan run $run: $(python3 -c "print(round(($(date +%s.%N) - $start) * 1000))") ms"
  done
  if cmp -s "$dir/$plan-1.json" "$dir/$plan-2.json"; then echo "$plan: identical twice"; else echo "$plan: DIFFERS"; fi
done
python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
s, w = (json.load(open(f"{d}/{p}-1.json")) for p in ("strong", "weak"))
print(f"method: {s['method']}; score_average strong {s['score_average']} vs weak {w['score_average']}")
for cs, cw in zip(s["categories"], w["categories"]):
    a = sum(i["score"] for i in cs["items"]) / len(cs["items"])
    b = sum(i["score"] for i in cw["items"]) / len(cw["items"])
    print(f"  {cs['name']}: strong {a:.1f} vs weak {b:.1f}")
higher = sum(1 for cs, cw in zip(s["categories"], w["categories"]) for a, b in zip(cs["items"], cw["items"]) if a["score"] > b["score"])
print(f"items where the strong plan scores higher: {higher} of 30")
PY
