#!/usr/bin/env bash
# Makes an N-times copy of a corpus for scale runs: the tree is copied once, then every project
# folder under community/assessments/projects/ is copied N-1 more times beside itself
# (`harbor`, `harbor-2`, … `harbor-N`), assets included. With --md-only every file that is not
# Markdown is left out (the "Markdown only" rows of benches/README.md).
#
#   benches/scale.sh ROOT N DEST [--md-only]
#   benches/scale.sh ../shared/corpus/tag-security 10 /dev/shm/x10
#   benches/scale.sh ../shared/corpus/tag-security 50 /dev/shm/x50
#
# DEST is replaced. Output goes wherever DEST says (tmpfs in the recorded figures).
set -euo pipefail
root="${1:?usage: benches/scale.sh ROOT N DEST [--md-only]}"
n="${2:?usage: benches/scale.sh ROOT N DEST [--md-only]}"
dest="${3:?usage: benches/scale.sh ROOT N DEST [--md-only]}"
md_only="${4:-}"
root="$(cd "$root" && pwd)"
rm -rf "$dest"
mkdir -p "$dest"
cp -a "$root/." "$dest/"
if [ "$md_only" = "--md-only" ]; then
  find "$dest" -type f ! -name '*.md' -delete
fi
projects="$dest/community/assessments/projects"
[ -d "$projects" ] || projects="$dest/assessments/projects"
for p in "$projects"/*/; do
  p="${p%/}"
  for k in $(seq 2 "$n"); do
    cp -a "$p" "$p-$k"
  done
done
echo "$dest: $(find "$dest" -name '*.md' | wc -l) Markdown files, $(find "$dest" -type f ! -name '*.md' | wc -l) other files, $(du -sh "$dest" | cut -f1)"
