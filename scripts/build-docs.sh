#!/usr/bin/env bash
# Builds the docs site, English and Russian, into build/docs/{en,ru}/html:
# the lesson texts, README and docs/*.md (MyST Markdown, read in place), and
# the API reference from Doxygen's XML through Breathe. Warnings are errors
# (Doxygen's on the public headers too), so CI catches a broken page, an
# undocumented declaration or code in a lesson that no longer matches the
# source. Runs scripts/check-docs.sh first.
#
#   scripts/build-docs.sh                 with the reference solutions page when solutions/ exists
#   scripts/build-docs.sh --no-solutions  the site for students: no solution code
#
# Needs Debian's doxygen, python3-sphinx, python3-breathe, python3-myst-parser,
# furo and graphviz (scripts/install-deps.sh installs them).
# KUBIK_DOCS_NO_CHECK=1 skips check-docs.sh, to look at the site while a
# translation is being updated.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

solutions=auto
for arg in "$@"; do
    case $arg in
        --no-solutions) solutions=no ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "build-docs.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
    esac
done
[[ $solutions == auto ]] && { [[ -d solutions ]] && solutions=yes || solutions=no; }

# Debian's tools, not whatever python3 comes first in PATH (pyenv, venvs).
sphinx_build=${SPHINX_BUILD:-/usr/bin/sphinx-build}
for tool in doxygen dot "$sphinx_build"; do
    if ! command -v "$tool" >/dev/null; then
        echo "build-docs.sh: $tool is missing; run scripts/install-deps.sh" >&2
        exit 1
    fi
done

SECONDS=0
[[ ${KUBIK_DOCS_NO_CHECK:-} ]] || scripts/check-docs.sh

out=build/docs
rm -rf "$out"
mkdir -p "$out/doxygen"

# Doxygen: the public headers only. Any warning (an undocumented declaration,
# a broken doc comment) fails the build.
mapfile -t inputs < <(/usr/bin/python3 -B docs/_ext/kubik_sphinx.py doxygen-inputs)
((${#inputs[@]})) || { echo "build-docs.sh: found no public headers" >&2; exit 1; }
# Doxygen checks a namespace's members only when the namespace is documented:
# every namespace the headers open needs its line in docs/namespaces.dox.
missing=$(grep -hoE '^namespace [A-Za-z_][A-Za-z0-9_:]*' "${inputs[@]}" | sort -u | while read -r _ ns; do
    grep -qxF "/// \\namespace $ns" docs/namespaces.dox || echo "$ns"; done)
if [[ $missing ]]; then
    echo "build-docs.sh: add a '/// \\namespace NAME' line and a description to docs/namespaces.dox for:" $missing >&2
    exit 1
fi
warnings=$out/doxygen/warnings.log
{
    cat docs/Doxyfile
    echo "INPUT = ${inputs[*]} docs/namespaces.dox"
    echo "STRIP_FROM_PATH = $repo"
    echo "OUTPUT_DIRECTORY = $out/doxygen"
    echo "WARN_LOGFILE = $warnings"
} | doxygen -
if [[ -s $warnings ]]; then
    sed "s|$repo/||" "$warnings" >&2
    echo "build-docs.sh: Doxygen warnings on the public headers ($(wc -l <"$warnings")): document each declaration above with a /// comment" >&2
    exit 1
fi

tags=()
[[ $solutions == yes ]] && tags=(-t solutions)
export KUBIK_DOXYGEN_XML=$repo/$out/doxygen/xml
# Both languages at once (they share nothing but the XML); each log is shown
# whole, one after the other.
pids=()
for lang in en ru; do
    "$sphinx_build" -q -W --keep-going -b html -c docs -t "$lang" "${tags[@]}" \
        -d "$out/doctrees-$lang" . "$out/$lang/html" >"$out/sphinx-$lang.log" 2>&1 &
    pids+=($!)
done
failed=0
for i in 0 1; do
    wait "${pids[$i]}" || failed=1
done
for lang in en ru; do
    if [[ -s $out/sphinx-$lang.log ]]; then
        echo "== Sphinx ($lang):" >&2
        sed "s|$repo/||" "$out/sphinx-$lang.log" >&2
    fi
done
if ((failed)); then
    echo "build-docs.sh: the docs site has warnings (errors with -W); see above" >&2
    exit 1
fi

echo "build-docs.sh: built in ${SECONDS}s (reference solutions: $solutions). Open:"
echo "  $repo/$out/en/html/index.html"
echo "  $repo/$out/ru/html/index.html"
