#!/usr/bin/env bash
# Makes a throwaway Hugo site whose content is a copy of an assessments tree, for comparing
# `tssa build` with `hugo` on the same Markdown (see benches/README.md).
#
#   benches/hugo-site.sh ROOT [SITE]
#
# ROOT is a repository root holding community/assessments (the acceptance corpus, or a synthetic
# corpus from TSSA_BENCH_GENERATE). SITE defaults to /dev/shm/tssa-hugo-site (else /tmp/…).
# Then: hugo --quiet --source SITE --destination /dev/shm/hugo-out
set -euo pipefail

root="${1:?usage: benches/hugo-site.sh ROOT [SITE]}"
base=/tmp
[ -d /dev/shm ] && base=/dev/shm
site="${2:-$base/tssa-hugo-site}"

command -v hugo >/dev/null || { echo "hugo is not installed" >&2; exit 2; }
[ -d "$root/community/assessments" ] || { echo "$root/community/assessments does not exist" >&2; exit 2; }

rm -rf "$site"
hugo new site "$site" --quiet >/dev/null 2>&1 || hugo new site "$site" >/dev/null
# The whole tree, images and PDFs included, as tssa reads it.
cp -r "$root/community/assessments" "$site/content/"
# Hugo 0.111's page lexer rejects a file that opens with an HTML comment ending in `word-->`
# ("starting HTML comment with no end", flux's cSpell line); an empty front matter before it
# turns the comment into ordinary body HTML. Nothing else is changed.
grep -rlZ --include='*.md' -m1 '^<!--' "$site/content" | while IFS= read -r -d '' f; do
  if head -c 4 "$f" | grep -q '^<!--'; then
    { printf -- '---\n---\n'; cat "$f"; } >"$f.tmp" && mv "$f.tmp" "$f"
  fi
done

cat >"$site/hugo.toml" <<'EOF'
baseURL = "http://localhost/"
title = "Assessments (Hugo baseline)"
disableKinds = ["taxonomy", "term", "RSS"]
[markup.goldmark.parser]
  autoHeadingID = true
  autoHeadingIDType = "github"
[markup.goldmark.renderer]
  # The documents use raw HTML tables; Hugo drops raw HTML unless told otherwise.
  unsafe = true
[markup.highlight]
  noClasses = false
EOF
rm -f "$site/config.toml"

mkdir -p "$site/layouts/_default"
cat >"$site/layouts/_default/baseof.html" <<'EOF'
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title></head>
<body><main>{{ block "main" . }}{{ end }}</main></body></html>
EOF
cat >"$site/layouts/_default/single.html" <<'EOF'
{{ define "main" }}<article><h1>{{ .Title }}</h1><nav>{{ .TableOfContents }}</nav>{{ .Content }}</article>{{ end }}
EOF
cat >"$site/layouts/_default/list.html" <<'EOF'
{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
EOF
cp "$site/layouts/_default/list.html" "$site/layouts/index.html"

echo "$site"
