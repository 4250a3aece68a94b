#!/usr/bin/env bash
# Whole-binary comparison on one corpus: `tssa build` beside `hugo` with hyperfine, then peak
# memory of each with /usr/bin/time -v. Output goes to tmpfs (/dev/shm) when there is one.
#
#   benches/compare.sh [ROOT]          # ROOT defaults to $TSSA_CORPUS
#   TSSA=path/to/tssa benches/compare.sh ROOT   # another binary (default target/release/tssa)
#   BEFORE=path/to/old/tssa benches/compare.sh ROOT   # also time an earlier build in the same
#                                                     # run, for before/after claims
#
# Needs: a release build (cargo build --release), hyperfine, hugo (both optional: each part is
# skipped with a note when its tool is missing), GNU time at /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."

root="${1:-${TSSA_CORPUS:-}}"
[ -n "$root" ] || { echo "usage: benches/compare.sh ROOT (or set TSSA_CORPUS)" >&2; exit 2; }
root="$(cd "$root" && pwd)"
tssa="${TSSA:-target/release/tssa}"
[ -x "$tssa" ] || { echo "$tssa not found: run cargo build --release first" >&2; exit 2; }
base=/tmp
[ -d /dev/shm ] && base=/dev/shm
tssa_out="$base/tssa-out"
hugo_site="$base/tssa-hugo-site"
hugo_out="$base/hugo-out"

echo "corpus: $root"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$tssa" build --root "$root" --out "$tssa_out" 2>&1 | tail -n1

have_hugo=0
if command -v hugo >/dev/null; then
  benches/hugo-site.sh "$root" "$hugo_site" >/dev/null
  hugo --quiet --source "$hugo_site" --destination "$hugo_out"
  have_hugo=1
  echo "hugo: $(hugo version | cut -d' ' -f2), site in $hugo_site"
else
  echo "note: hugo is not installed; timing tssa alone"
fi

if command -v hyperfine >/dev/null; then
  cmds=("$tssa build --quiet --root '$root' --out '$tssa_out'")
  if [ -n "${BEFORE:-}" ]; then
    cmds+=("$BEFORE build --quiet --root '$root' --out '$tssa_out-before'")
    cmds+=("$tssa check --root '$root' --format json" "$BEFORE check --root '$root' --format json")
  fi
  [ "$have_hugo" = 1 ] && cmds+=("hugo --quiet --source '$hugo_site' --destination '$hugo_out'")
  hyperfine --warmup 3 --min-runs 20 -N -i "${cmds[@]}" \
    --export-markdown "$base/tssa-vs-hugo.md"
  echo "(table also in $base/tssa-vs-hugo.md)"
else
  echo "note: hyperfine is not installed; skipping the timing comparison"
fi

peak() { # label, command...
  local label="$1" file
  shift
  file="$(mktemp)"
  /usr/bin/time -f '%M' -o "$file" "$@" >/dev/null 2>&1 || true
  local rss
  rss="$(tail -n1 "$file")"
  rm -f "$file"
  echo "peak RSS $label: ${rss} KiB ($((rss / 1024)) MiB)"
}
peak "tssa build" "$tssa" build --quiet --root "$root" --out "$tssa_out"
peak "tssa check" "$tssa" check --root "$root" --format json
[ "$have_hugo" = 1 ] && peak "hugo" hugo --quiet --source "$hugo_site" --destination "$hugo_out"
exit 0
