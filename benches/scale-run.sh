#!/usr/bin/env bash
# The scale runs of benches/README.md: for each size N (default 1 10 50) an N-times copy of the
# corpus (benches/scale.sh, kept in /dev/shm between runs) and, for N > 1, its Markdown-only
# copy, then
#   - hyperfine, one invocation per tree: the floor of the work (benches/floor.rs: Markdown
#     only; with highlighting; with the assets copied too), tssa's first run (output and build
#     cache removed before each run), `tssa build` cold (output removed, --no-cache when the
#     binary has it) and warm (output and cache kept from the previous run), `tssa check` (1x
#     and the 10x tree), and Hugo on the same tree (N <= HUGO_MAX, default 10: Hugo takes
#     minutes at 50x); then each median as a multiple of the floor that does the same kind of
#     work (with the assets for a tree that has them) and of Hugo's;
#   - peak RSS and elapsed time of the warm build (and at 50x the cold one), three runs each,
#     with GNU time (%M is what `/usr/bin/time -v` calls "Maximum resident set size").
#
#   benches/scale-run.sh ROOT [N...]
#   TSSA=path/to/tssa RUNS=5 HUGO_MAX=10 benches/scale-run.sh ../shared/corpus/tag-security 1 10 50
#
# Output on tmpfs. SOURCE_DATE_EPOCH is fixed so every run builds the same bytes. Needs
# hyperfine, python3 and GNU time; hugo is optional.
set -euo pipefail
cd "$(dirname "$0")/.."
root="${1:?usage: benches/scale-run.sh ROOT [N...]}"
shift
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 10 50)
root="$(cd "$root" && pwd)"
tssa="$(realpath "${TSSA:-target/release/tssa}")"
runs="${RUNS:-5}"
hugo_max="${HUGO_MAX:-10}"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1764547200}"
base=/dev/shm
[ -d "$base" ] || base=/tmp
no_cache=""
"$tssa" build --help | grep -q -- '--no-cache' && no_cache="--no-cache"
floor="$(cargo bench --bench floor --no-run 2>&1 | sed -n 's/.*Executable benches\/floor.rs (\(.*\))/\1/p')"
[ -x "$floor" ] || { echo "could not build benches/floor.rs" >&2; exit 2; }

echo "tssa: $tssa ($(git rev-parse --short HEAD 2>/dev/null || echo '?')), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
peak() { # label, command...
  local label="$1" i out
  shift
  for i in 1 2 3; do
    out="$(/usr/bin/time -f '%e s, %M KiB' "$@" 2>&1 >/dev/null | tail -n1)"
    echo "  $label run $i: $out"
  done
}

for n in "${sizes[@]}"; do
  trees=("$base/tssa-scale-$n")
  [ "$n" = 1 ] || trees+=("$base/tssa-scale-$n-md")
  for tree in "${trees[@]}"; do
    if [ ! -d "$tree" ]; then
      if [ "$n" = 1 ]; then
        mkdir -p "$tree" && cp -a "$root/." "$tree/"
      elif [[ "$tree" == *-md ]]; then
        benches/scale.sh "$root" "$n" "$tree" --md-only >/dev/null
      else
        benches/scale.sh "$root" "$n" "$tree" >/dev/null
      fi
    fi
    out="$tree.out"
    echo "== $tree ($(find "$tree" -name '*.md' | wc -l) Markdown files, $(du -sh "$tree" | cut -f1))"
    "$tssa" build --quiet --root "$tree" --out "$out" >/dev/null 2>&1 || true
    names=() prepares=() cmds=()
    add() { names+=("$1"); prepares+=("$2"); cmds+=("$3"); }
    add "floor" "rm -rf '$out-floor'" "$floor '$tree' '$out-floor'"
    add "floor+highlight" "rm -rf '$out-floor'" "$floor '$tree' '$out-floor' --highlight"
    [[ "$tree" == *-md ]] ||
      add "floor+highlight+assets" "rm -rf '$out-floor'" "$floor '$tree' '$out-floor' --highlight --assets"
    add "tssa build (first run)" "rm -rf '$out-first' '$out-first-cache'" \
      "env TSSA_CACHE_DIR='$out-first-cache' $tssa build --quiet --root '$tree' --out '$out-first'"
    add "tssa build (cold${no_cache:+, $no_cache})" "rm -rf '$out-cold'" \
      "$tssa build --quiet $no_cache --root '$tree' --out '$out-cold'"
    add "tssa build (warm)" "true" "$tssa build --quiet --root '$tree' --out '$out'"
    if [ "$n" = 1 ] || [[ "$tree" != *-md && "$n" = 10 ]]; then
      add "tssa check" "true" "$tssa check --root '$tree' --format json"
    fi
    if [[ "$tree" != *-md ]] && [ "$n" -le "$hugo_max" ] && command -v hugo >/dev/null; then
      benches/hugo-site.sh "$tree" "$tree.hugo" >/dev/null
      add "hugo" "true" "hugo --quiet --source '$tree.hugo' --destination '$tree.hugo-out'"
    fi
    args=()
    for i in "${!cmds[@]}"; do args+=(--prepare "${prepares[$i]}" -n "${names[$i]}" "${cmds[$i]}"); done
    hyperfine -N -i --warmup 1 --runs "$runs" "${args[@]}" \
      --export-markdown "$tree.md" --export-json "$tree.json" | grep -Ev '^\s*$'
    python3 - "$tree.json" <<'PY'
import json, statistics, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
median = {name: statistics.median(r["times"]) for name, r in results.items()}
floor = "floor+highlight+assets" if "floor+highlight+assets" in median else "floor+highlight"
print(f"  {'median':>10}  {'x floor':>8}  {'x Hugo':>7}  (x floor: against {floor})")
for name, m in median.items():
    vs_hugo = f"{m / median['hugo']:7.3f}" if "hugo" in median else ""
    print(f"  {m * 1000:7.1f} ms  {m / median[floor]:8.2f}  {vs_hugo:>7}  {name}")
PY
    peak "tssa build (warm)" "$tssa" build --quiet --root "$tree" --out "$out"
    if [ "$n" -ge 50 ]; then
      rm -rf "$out-cold"
      peak "tssa build (cold)" sh -c "rm -rf '$out-cold'; exec '$tssa' build --quiet $no_cache --root '$tree' --out '$out-cold'"
    fi
  done
done
