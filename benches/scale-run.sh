#!/usr/bin/env bash
# The scale runs of benches/README.md: for each size N (default 1 10 50) an N-times copy of the
# corpus (benches/scale.sh, kept in /dev/shm between runs), then
#   - hyperfine: `tssa build` warm (output and cache kept from the previous run), cold (output
#     removed before each run, --no-cache when the binary has it), Hugo on the same tree (for
#     N <= HUGO_MAX, default 10: Hugo takes minutes at 50x), and for N=10 also the Markdown-only
#     copy and `tssa check`;
#   - peak RSS and elapsed time of the warm build (and at 50x the cold one), three runs each,
#     with GNU time (%M is what `/usr/bin/time -v` calls "Maximum resident set size").
#
#   benches/scale-run.sh ROOT [N...]
#   TSSA=path/to/tssa RUNS=5 HUGO_MAX=10 benches/scale-run.sh ../shared/corpus/tag-security 1 10 50
#
# Output on tmpfs. SOURCE_DATE_EPOCH is fixed so every run builds the same bytes.
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
  [ "$n" = 10 ] && trees+=("$base/tssa-scale-$n-md")
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
    cmds=("$tssa build --quiet --root '$tree' --out '$out'")
    names=("tssa build (warm)")
    cmds+=("$tssa build --quiet $no_cache --root '$tree' --out '$out-cold'")
    names+=("tssa build (cold${no_cache:+, $no_cache})")
    if [ "$n" = 1 ] || [[ "$tree" != *-md && "$n" = 10 ]]; then
      cmds+=("$tssa check --root '$tree' --format json")
      names+=("tssa check")
    fi
    if [[ "$tree" != *-md ]] && [ "$n" -le "$hugo_max" ] && command -v hugo >/dev/null; then
      benches/hugo-site.sh "$tree" "$tree.hugo" >/dev/null
      cmds+=("hugo --quiet --source '$tree.hugo' --destination '$tree.hugo-out'")
      names+=("hugo")
    fi
    args=()
    for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
    hyperfine -N -i --warmup 1 --min-runs "$runs" --max-runs "$runs" \
      --prepare "rm -rf '$out-cold'" "${args[@]}" \
      --export-markdown "$tree.md" | grep -Ev '^\s*$'
    peak "tssa build (warm)" "$tssa" build --quiet --root "$tree" --out "$out"
    if [ "$n" -ge 50 ]; then
      rm -rf "$out-cold"
      peak "tssa build (cold)" sh -c "rm -rf '$out-cold'; exec '$tssa' build --quiet $no_cache --root '$tree' --out '$out-cold'"
    fi
  done
done
