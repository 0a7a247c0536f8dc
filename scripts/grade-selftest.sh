#!/usr/bin/env bash
# Grades two submissions made from this course — the pristine exercises and
# the solutions — and shows the reports: the grader's own demo, and what the
# course's closing notes quote. The starter code must score 0 and the
# solutions full points; the script exits 1 otherwise.
#
# usage (as root): scripts/grade-selftest.sh [BUILD_DIR] [OUT_DIR]
#   BUILD_DIR  a build of this course that has kubik-course (default: build)
#   OUT_DIR    where the reports go (default: a temporary folder, removed)
#
# Writes OUT_DIR/grades.json, and per submission (pristine, solved) a text,
# Markdown and Gradescope report. Takes one build of the course (minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
out=${2:-}
tool="$build/kubik-course"
if [[ ! -x $tool ]]; then
  echo "grade-selftest: $tool is not built (cmake --build $build --target kubik-course)" >&2
  exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "grade-selftest: run as root (the lessons' checks create namespaces and mounts)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[[ -n $out ]] || out="$work/reports"
mkdir -p "$out" "$work/submissions/pristine" "$work/submissions/solved"

cp -a exercises "$work/submissions/pristine/"
cp -a exercises "$work/submissions/solved/"
cp -a solutions/. "$work/submissions/solved/exercises/"

"$tool" grade "$work/submissions" --course "$PWD" --format json --out "$out/grades.json" \
  --jobs "$(nproc)"
for format in text md gradescope; do
  "$tool" report "$out/grades.json" --format "$format" --out-dir "$out/$format"
done

for student in pristine solved; do
  echo
  echo "==== $student: text ===="
  cat "$out/text/$student.txt"
  echo
  echo "==== $student: gradescope results.json ===="
  cat "$out/gradescope/$student.json"
done

python3 - "$out/grades.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
points = {s["student"]: (s["points"], s["max_points"]) for s in report["submissions"]}
problems = []
if points["pristine"][0] != 0:
    problems.append(f"the pristine exercises score {points['pristine'][0]}, not 0")
if points["solved"][0] != points["solved"][1]:
    problems.append(f"the solutions score {points['solved'][0]} of {points['solved'][1]}")
for p in problems:
    print(f"grade-selftest: {p}", file=sys.stderr)
print(f"\ngrade-selftest: pristine {points['pristine'][0]}/{points['pristine'][1]}, "
      f"solved {points['solved'][0]}/{points['solved'][1]}: {'OK' if not problems else 'FAILED'}")
sys.exit(1 if problems else 0)
EOF
