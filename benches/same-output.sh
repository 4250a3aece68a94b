#!/usr/bin/env bash
# Whether two tssa binaries build and check the same bytes: the claim every speed change makes
# ("output unchanged"). For a corpus ROOT: a site built cold (--no-cache), then with the cache
# (first run, warm run, and warm into a fresh folder), and `check` in the human, JSON and
# GitHub formats cold and warm; for every fixture under tests/fixtures and content/: check
# (JSON) and the site, uncached. Exit codes are compared too. Prints each difference, then
# "ALL IDENTICAL" or "DIFFERENCES (kept in DIR)"; exits 1 on a difference.
#
#   benches/same-output.sh NEW OLD [ROOT]     # ROOT defaults to $TSSA_CORPUS
#   KEEP=1 benches/same-output.sh …            # keep the outputs even when identical
#
# Each binary gets its own build cache (TSSA_CACHE_DIR) in a temporary folder on tmpfs.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
new="$(realpath "${1:?usage: benches/same-output.sh NEW OLD [ROOT]}")"
old="$(realpath "${2:?usage: benches/same-output.sh NEW OLD [ROOT]}")"
root="${3:-${TSSA_CORPUS:?usage: benches/same-output.sh NEW OLD ROOT (or set TSSA_CORPUS)}}"
base=/tmp
[ -d /dev/shm ] && base=/dev/shm
work="$(mktemp -d "$base/tssa-same.XXXX")"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1764547200}"
fail=0

run() { # tag binary args…: stdout, stderr and exit code kept under the tag
  local tag=$1 bin=$2
  shift 2
  "$bin" "$@" >"$work/$tag.out" 2>"$work/$tag.err"
  echo $? >"$work/$tag.rc"
}
differ() { echo "DIFF $*"; fail=1; }
same_files() { cmp -s "$work/$1" "$work/$2" || differ "$1"; }
same_trees() { diff -r -q "$work/$1" "$work/$2" >/dev/null 2>&1 || differ "$1"; }

for who in new old; do
  bin=$new
  [ $who = old ] && bin=$old
  export TSSA_CACHE_DIR="$work/cache-$who"
  run "$who-cold" "$bin" build -q --no-cache --root "$root" --out "$work/$who-site-cold"
  run "$who-first" "$bin" build -q --root "$root" --out "$work/$who-site"
  run "$who-warm" "$bin" build -q --root "$root" --out "$work/$who-site"
  run "$who-fresh" "$bin" build -q --root "$root" --out "$work/$who-site-fresh"
  for format in human json github; do
    run "$who-check-$format-cold" "$bin" check --no-cache --root "$root" --format "$format"
    run "$who-check-$format" "$bin" check --root "$root" --format "$format"
  done
done
for site in site-cold site site-fresh; do same_trees "new-$site" "old-$site"; done
for step in cold first warm fresh; do same_files "new-$step.rc" "old-$step.rc"; done
for format in human json github; do
  for tag in check-$format-cold check-$format; do
    same_files "new-$tag.out" "old-$tag.out"
    same_files "new-$tag.rc" "old-$tag.rc"
  done
done

for dir in tests/fixtures/* content; do
  [ -d "$dir" ] || continue
  name=$(basename "$dir")
  for who in new old; do
    bin=$new
    [ $who = old ] && bin=$old
    export TSSA_CACHE_DIR="$work/fixture-cache-$who"
    run "$who-fx-$name-check" "$bin" check --no-cache --root "$dir" --format json
    run "$who-fx-$name-build" "$bin" build -q --no-cache --root "$dir" --out "$work/$who-fx-$name"
  done
  same_files "new-fx-$name-check.out" "old-fx-$name-check.out"
  same_files "new-fx-$name-check.rc" "old-fx-$name-check.rc"
  same_files "new-fx-$name-build.rc" "old-fx-$name-build.rc"
  if [ -d "$work/new-fx-$name" ] || [ -d "$work/old-fx-$name" ]; then
    same_trees "new-fx-$name" "old-fx-$name"
  fi
done

if [ $fail = 0 ]; then
  echo "ALL IDENTICAL"
  [ -n "${KEEP:-}" ] || rm -rf "$work"
else
  echo "DIFFERENCES (kept in $work)"
  exit 1
fi
