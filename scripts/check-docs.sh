#!/usr/bin/env bash
# Checks the lesson texts and docs/ without building the site (a second, no
# Sphinx needed):
# - every lessons/NN-topic/ has README.md and README.ru.md, and every
#   docs/X.ru.md (and README.ru.md) its X.md;
# - each pair has the same headings (count and levels, in order) and includes
#   the same code (the same `<!-- code: PATH#NAME -->` lines and directives);
# - each Russian text's first line records the English text it translates,
#   `<!-- translates: README.md sha256:HASH -->`; when the English text has
#   changed since, the check names the file and the git diff to read;
# - every code block marked `<!-- code: PATH#NAME -->` equals that region of
#   the real source (`// [docs:NAME]` ... `// [docs:NAME end]`);
# - no code block of a lesson text, README or docs page quotes the code of a
#   `// BEGIN SOLUTION` region (src/ and exercises/ code may be shown; the
#   rule is in docs/_ext/kubikdocs.py); the message names the text's line and
#   the region;
# - each pair shows the same diagrams (```{graphviz} diagrams/NAME.en.dot and
#   NAME.ru.dot), and `dot` draws every one without an error or a warning.
#
#   scripts/check-docs.sh                      run the checks
#   scripts/check-docs.sh --stamp X.ru.md...   after updating a translation:
#                                              record the English text's hash
#   scripts/check-docs.sh --selftest           the solution rule on a made-up case
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 -B docs/_ext/kubikdocs.py "$@"
