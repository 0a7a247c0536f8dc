#!/usr/bin/env bash
# Looks at the built docs site the way a reader's laptop shows it: takes
# screenshots of pages in headless Chromium and measures, in every <pre> of
# those pages, how far its text runs past the width it is given (a block
# that needs a horizontal scroll). Build the site first (scripts/build-docs.sh).
#
#   scripts/docs-screenshots.sh OUTDIR [PAGE...]
#
# PAGE is a page of build/docs, optionally with an anchor to scroll to:
# en/html/lessons/02-namespaces/README.html#where-your-code-runs. Without
# PAGEs: every lesson page, English and Russian. Writes OUTDIR/NAME.png per
# page (keep OUTDIR outside the repository: screenshots are not committed)
# and prints one line per overflowing <pre>; exits 1 when any overflows.
#
#   KUBIK_SHOT_WIDTH=1280 KUBIK_SHOT_HEIGHT=900   the window, in CSS pixels
#   KUBIK_DOCS_SITE=build/docs                   the built site to look at
#
# Installs Debian's chromium when it is missing (needs root then).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    [[ $# -ge 1 ]] && exit 0 || exit 2
fi
out=$(realpath -m "$1")
shift
case $out/ in "$repo"/*) echo "docs-screenshots.sh: $out is inside the repository; pick a folder outside it" >&2; exit 2 ;; esac
width=${KUBIK_SHOT_WIDTH:-1280}
height=${KUBIK_SHOT_HEIGHT:-900}

site=${KUBIK_DOCS_SITE:-build/docs}
[[ -d $site/en/html ]] || { echo "docs-screenshots.sh: no $site/en/html; run scripts/build-docs.sh first" >&2; exit 1; }

if ! command -v chromium >/dev/null; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "docs-screenshots.sh: chromium is missing; apt-get install chromium (as root)" >&2
        exit 1
    fi
    echo "docs-screenshots.sh: installing chromium"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

pages=("$@")
if ((${#pages[@]} == 0)); then
    for lang in en ru; do
        for f in "$site/$lang"/html/lessons/*/README*.html; do
            pages+=("${f#"$site/"}")
        done
    done
fi

mkdir -p "$out"
profile=$(mktemp -d)
probes=()
trap 'rm -rf "$profile"; rm -f "${probes[@]}"' EXIT
chrome=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile"
        --window-size="$width,$height" --virtual-time-budget=3000)

# The probe: the page itself plus a script that, once laid out, appends its
# measurements to the DOM, which --dump-dom then prints. It lives next to the
# page (in build/, so relative links to the theme's CSS work) while it runs.
measure_js='
addEventListener("load", () => {
  // Headless screenshots of a scrolled page come out garbled: to show the
  // anchor (given as ?at=ID), drop what comes before it in the page'"'"'s body.
  const at = new URLSearchParams(location.search).get("at");
  const target = at && document.getElementById(at);
  for (let el = target; el && el.getAttribute("role") !== "main" && el.tagName !== "ARTICLE"; el = el.parentElement)
    while (el.previousElementSibling) el.previousElementSibling.remove();
  // The floating page-contents button of furo would now sit beside the section.
  if (target) document.querySelectorAll(".content-icon-container").forEach(e => e.remove());
  const rows = [];
  for (const pre of document.querySelectorAll("pre")) {
    // What would scroll: the <pre>, or the highlight <div> around it.
    let over = pre.scrollWidth - pre.clientWidth;
    const div = pre.closest("div.highlight");
    if (div) over = Math.max(over, div.scrollWidth - div.clientWidth);
    if (over > 1) {
      const line = pre.textContent.split("\n").reduce((a, b) => (b.length > a.length ? b : a), "");
      rows.push(over + "px " + pre.clientWidth + "px " + JSON.stringify(line.trim().slice(0, 70)));
    }
  }
  const el = document.createElement("kubik-measure");
  el.textContent = "PRES " + document.querySelectorAll("pre").length + " WIDTH " + innerWidth + "\n" + rows.join("\n");
  document.body.appendChild(el);
});'

overflowing=0
measured=()
for page in "${pages[@]}"; do
    file=${page%%#*}
    [[ -f $site/$file ]] || { echo "docs-screenshots.sh: no page $site/$file" >&2; exit 1; }
    name=$(echo "$page" | sed -e 's|/html/|-|' -e 's|lessons/||' -e 's|/README\(\.ru\)\?\.html||' \
        -e 's|\.html||' -e 's|[/#]|-|g')
    probe=$site/${file%.html}.kubik-probe.html
    probes+=("$probe")
    { cat "$site/$file"; echo "<script>$measure_js</script>"; } >"$probe"
    anchor=
    [[ $page == *#* ]] && anchor=?at=${page#*#}
    "${chrome[@]}" --screenshot="$out/$name.png" "file://$(realpath "$probe")$anchor" >/dev/null 2>&1
    if [[ " ${measured[*]-} " == *" $file "* ]]; then
        rm -f "$probe"
        echo "$file -> $out/$name.png"
        continue
    fi
    measured+=("$file")
    result=$("${chrome[@]}" --dump-dom "file://$(realpath "$probe")" 2>/dev/null |
        sed -n '/<kubik-measure>/,/<\/kubik-measure>/p' | sed -e 's/<kubik-measure>//' -e 's/<\/kubik-measure>.*//' -e 's/&quot;/"/g' -e 's/&amp;/\&/g' -e 's/&lt;/</g' -e 's/&gt;/>/g')
    rm -f "$probe"
    [[ $result ]] || { echo "docs-screenshots.sh: $file: chromium measured nothing" >&2; exit 1; }
    read -r _ count _ seen <<<"$(head -1 <<<"$result")"
    rows=$(tail -n +2 <<<"$result")
    n=$(grep -c . <<<"$rows" || true)
    echo "$file: $count <pre>, $n overflowing at ${seen}px -> $out/$name.png"
    [[ $rows ]] && sed 's/^/    overflows by /' <<<"$rows"
    ((overflowing += n)) || true
done
((overflowing == 0)) || { echo "docs-screenshots.sh: $overflowing <pre> need a horizontal scroll at ${width}px" >&2; exit 1; }
