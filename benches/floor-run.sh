#!/usr/bin/env bash
# tssa against the floor of the work (benches/floor.rs) and Hugo, in one hyperfine run per
# size: for each N (default 1 10 50) the N-times copy of the corpus (benches/scale.sh, kept in
# /dev/shm between runs; N=1 is the corpus itself) and, for N>1, its Markdown-only copy:
#   - floor: Markdown only; with highlighting; with highlighting and the assets copied;
#   - tssa build, first run (output and build cache removed before each run);
#   - tssa build --no-cache into a removed output folder;
#   - tssa build, warm (output and cache kept from the previous run);
#   - tssa check --format json, warm (N=1);
#   - Hugo on the same tree (N <= HUGO_MAX, default 10).
# Then each mean as a multiple of the floor that does the same kind of work (the floor with
# assets for a tree with assets, with highlighting for a Markdown-only tree) and of Hugo.
#
#   benches/floor-run.sh ROOT [N...]
#   TSSA=path/to/tssa RUNS=5 HUGO_MAX=10 benches/floor-run.sh ../shared/corpus/tag-security 1 10 50
#
# Needs hyperfine, python3, GNU time; hugo optional. SOURCE_DATE_EPOCH fixed as in scale-run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root="${1:?usage: benches/floor-run.sh ROOT [N...]}"
shift
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 10 50)
root="$(cd "$root" && pwd)"
tssa="$(realpath "${TSSA:-target/release/tssa}")"
hugo_max="${HUGO_MAX:-10}"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1764547200}"
base=/dev/shm
[ -d "$base" ] || base=/tmp
floor="$(cargo bench --bench floor --no-run 2>&1 | sed -n 's/.*Executable benches\/floor.rs (\(.*\))/\1/p')"
[ -x "$floor" ] || { echo "could not build benches/floor.rs" >&2; exit 2; }

echo "tssa: $tssa ($(git rev-parse --short HEAD 2>/dev/null || echo '?')), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${sizes[@]}"; do
  trees=()
  if [ "$n" = 1 ]; then
    trees=("$root")
  else
    trees=("$base/tssa-scale-$n" "$base/tssa-scale-$n-md")
    [ -d "${trees[0]}" ] || benches/scale.sh "$root" "$n" "${trees[0]}" >/dev/null
    [ -d "${trees[1]}" ] || benches/scale.sh "$root" "$n" "${trees[1]}" --md-only >/dev/null
  fi
  runs="${RUNS:-5}"
  [ -n "${RUNS:-}" ] || [ "$n" != 1 ] || runs=20
  for tree in "${trees[@]}"; do
    out="$base/floor-run-$n"
    [[ "$tree" != *-md ]] || out="$out-md"
    echo "== N=$n: $tree ($(find "$tree" -name '*.md' | wc -l) Markdown files, $(du -sh "$tree" | cut -f1))"
    warm_cache="$out-cache-warm"
    TSSA_CACHE_DIR="$warm_cache" "$tssa" build --quiet --root "$tree" --out "$out-warm" >/dev/null 2>&1 || true
    names=() cmds=() prepares=()
    add() { names+=("$1"); prepares+=("$2"); cmds+=("$3"); }
    add "floor" "rm -rf '$out-f1'" "$floor '$tree' '$out-f1'"
    add "floor+highlight" "rm -rf '$out-f2'" "$floor '$tree' '$out-f2' --highlight"
    [[ "$tree" == *-md ]] || add "floor+highlight+assets" "rm -rf '$out-f3'" "$floor '$tree' '$out-f3' --highlight --assets"
    add "tssa first run" "rm -rf '$out-first' '$out-cache-first'" \
      "env TSSA_CACHE_DIR='$out-cache-first' $tssa build --quiet --root '$tree' --out '$out-first'"
    add "tssa --no-cache" "rm -rf '$out-nocache'" "$tssa build --quiet --no-cache --root '$tree' --out '$out-nocache'"
    add "tssa warm" "true" "env TSSA_CACHE_DIR='$warm_cache' $tssa build --quiet --root '$tree' --out '$out-warm'"
    [ "$n" != 1 ] || add "tssa check (warm)" "true" \
      "env TSSA_CACHE_DIR='$warm_cache' $tssa check --root '$tree' --format json"
    if [ "$n" -le "$hugo_max" ] && [[ "$tree" != *-md ]] && command -v hugo >/dev/null; then
      benches/hugo-site.sh "$tree" "$out.hugo" >/dev/null
      add "hugo" "true" "hugo --quiet --source '$out.hugo' --destination '$out.hugo-out'"
    fi
    args=()
    for i in "${!cmds[@]}"; do args+=(--prepare "${prepares[$i]}" -n "${names[$i]}" "${cmds[$i]}"); done
    hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$out.json" "${args[@]}" >/dev/null
    python3 - "$out.json" <<'PY'
import json, statistics, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
floor = results.get("floor+highlight+assets") or results["floor+highlight"]
hugo = results.get("hugo")
print(f"  {'command':24} {'median':>10} {'mean ± σ':>20} {'× floor':>8} {'× Hugo':>8}")
for name, r in results.items():
    med = statistics.median(r["times"])
    vs_hugo = f"{med / statistics.median(hugo['times']):8.3f}" if hugo else f"{'':8}"
    print(f"  {name:24} {med*1000:8.1f} ms {r['mean']*1000:10.1f} ± {r['stddev']*1000:5.1f} ms"
          f" {med / statistics.median(floor['times']):8.2f} {vs_hugo}")
print(f"  (× floor: against {floor['command']})")
PY
  done
done
