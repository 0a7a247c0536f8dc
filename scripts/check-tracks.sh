#!/usr/bin/env bash
# Checks the two facts the course rests on:
#   student track (pristine exercises/, build-student/): every check of every
#     lesson fails, each failure says "not implemented yet", and no test
#     program crashes — a student starts from clear messages, not from a
#     segfault or a check that passes by accident;
#   reference track (solutions/, build/), with --reference: every check passes.
# and, first, that every function a lesson.json lists is a marked region of
# its solution file.
#
# usage: scripts/check-tracks.sh [--reference] [--no-build]
#   --reference   also build the reference track and require every test to pass
#   --no-build    use the existing build-student/ (and build/) as they are
#
# Lessons and their test programs come from lessons/*/lesson.json
# ("test_binary", looked for in BUILD/tests/). Needs root, like the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

reference=0
build=1
for arg in "$@"; do
  case "$arg" in
    --reference) reference=1 ;;
    --no-build) build=0 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "check-tracks: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

# A test program that hangs must not hang the check; lessons' own ctest
# timeout is 120 s per test, a whole program gets more.
readonly PROGRAM_TIMEOUT=${KUBIK_CHECK_TIMEOUT:-900}
readonly MARKER="not implemented yet"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
violations=0

if [[ $(id -u) -ne 0 ]]; then
  echo "check-tracks: warning: not root; the lesson tests need root and will fail for that reason" >&2
fi

# Prints "NN-topic<TAB>test_binary" for each lesson, in lesson order.
list_lessons() {
  python3 - <<'EOF'
import glob, json, sys
lessons = []
for path in glob.glob("lessons/*/lesson.json"):
    with open(path, encoding="utf-8") as f:
        lesson = json.load(f)
    lessons.append((lesson["number"], lesson["id"], lesson["test_binary"]))
if not lessons:
    sys.exit("check-tracks: no lessons/*/lesson.json found")
for _, lesson_id, binary in sorted(lessons):
    print(f"{lesson_id}\t{binary}")
EOF
}

# judge MODE JSON EXIT_CODE: reads a gtest JSON report and prints one line per
# violation (indented) and a last line with the verdict. Exit 0 when the
# program behaved as MODE (student: all fail with MARKER; reference: all pass).
judge() {
  python3 - "$@" "$MARKER" <<'EOF'
import json, re, sys

mode, report_path, exit_code, marker = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        # GoogleTest 1.12 forgets the comma before its "NonTestSuiteFailure"
        # suite (failures outside any test); put it back.
        return json.loads(re.sub(r"\}(\s*)\{", r"},\1{", text))

def readable(text):
    # gtest writes each non-ASCII byte as its own \u00XX; undo that.
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text

def first_line(messages):
    # Line 0 of a gtest message is file:line, and FAIL() adds a bare "Failed".
    for message in messages:
        lines = [l.strip() for l in readable(message).splitlines()[1:] if l.strip() not in ("", "Failed")]
        if lines:
            return " / ".join(lines[:3])[:200]
    return "(no message)"

try:
    report = load(report_path)
except (OSError, ValueError) as e:
    print(f"    the JSON report is unreadable: {e}")
    print("VERDICT crashed")
    sys.exit(1)

checks = []
for suite in report.get("testsuites", []):
    for test in suite.get("testsuite", []):
        if test.get("status") == "NOTRUN":
            continue
        name = f'{test.get("classname") or suite.get("name")}.{test.get("name")}'
        failures = [f.get("failure", "") for f in test.get("failures", [])]
        outcome = "failed" if failures else ("skipped" if test.get("result") == "SKIPPED" else "passed")
        checks.append((name, outcome, failures))

problems = []
if not checks:
    problems.append("the program ran no checks")
for name, outcome, failures in checks:
    if mode == "student":
        if outcome == "passed":
            problems.append(f"{name} passed, but no lesson is implemented in the student track")
        elif outcome == "skipped":
            problems.append(f"{name} was skipped instead of failing (a GTEST_SKIP, or a failure in SetUpTestSuite)")
        elif not any(marker in readable(f) for f in failures):
            problems.append(f'{name} failed without saying "{marker}": {first_line(failures)}')
    else:
        if outcome == "failed":
            problems.append(f"{name} failed: {first_line(failures)}")
        elif outcome == "skipped":
            problems.append(f"{name} was skipped")
if mode == "student" and exit_code == 0:
    problems.append("the program exited 0 although its checks must fail")
if mode == "reference" and exit_code != 0 and not problems:
    problems.append(f"the program exited {exit_code} although every check passed (see its output)")

for problem in problems:
    print(f"    {problem}")
print(f"VERDICT {'ok' if not problems else 'bad'} {len(checks)}")
sys.exit(0 if not problems else 1)
EOF
}

# check_track MODE BUILD_DIR: runs every lesson's program of one build.
check_track() {
  local mode=$1 build_dir=$2
  local id binary program report log rc verdict_line checks
  while IFS=$'\t' read -r id binary; do
    program="$build_dir/tests/$binary"
    report="$work/$mode-$id.json"
    log="$work/$mode-$id.log"
    if [[ ! -x "$program" ]]; then
      echo "  ✗ $id: $program is missing (not built?)"
      violations=$((violations + 1))
      continue
    fi
    rc=0
    # The braces' 2>/dev/null silences bash's own "Segmentation fault" notice;
    # the crash is reported below with the program's output.
    { timeout "$PROGRAM_TIMEOUT" "$program" --gtest_output="json:$report" >"$log" 2>&1; } 2>/dev/null || rc=$?
    if [[ $rc -eq 124 ]]; then
      echo "  ✗ $id: $program did not finish within ${PROGRAM_TIMEOUT}s"
      violations=$((violations + 1))
      continue
    fi
    if [[ $rc -gt 128 ]]; then
      echo "  ✗ $id: $program crashed (signal $((rc - 128))); last lines of its output:"
      tail -n 15 "$log" | sed 's/^/      /'
      violations=$((violations + 1))
      continue
    fi
    if [[ ! -s "$report" ]]; then
      echo "  ✗ $id: $program exited $rc without writing its JSON report; last lines of its output:"
      tail -n 15 "$log" | sed 's/^/      /'
      violations=$((violations + 1))
      continue
    fi
    local output
    output=$(judge "$mode" "$report" "$rc") && verdict=0 || verdict=$?
    verdict_line=$(tail -n 1 <<<"$output")
    checks=${verdict_line##* }
    if [[ $verdict -eq 0 ]]; then
      if [[ $mode == student ]]; then
        echo "  ✓ $id: all $checks checks fail with \"$MARKER\""
      else
        echo "  ✓ $id: all $checks checks pass"
      fi
    else
      local problems
      problems=$(sed '$d' <<<"$output")
      echo "  ✗ $id: $(grep -c . <<<"$problems") problem(s):"
      echo "$problems"
      violations=$((violations + 1))
    fi
  done < <(list_lessons)
}

# check_leaks BUILD_DIR: stubs that throw half-way through the start pipeline
# must not leave mounts or state behind either; the tests' own leak check
# (tests/leaks) proves it, when it is built.
check_leaks() {
  local program="$1/tests/test-leaks" rc=0
  [[ -x "$program" ]] || return 0
  timeout "$PROGRAM_TIMEOUT" "$program" >"$work/leaks.log" 2>&1 || rc=$?
  if [[ $rc -eq 0 ]]; then
    echo "  ✓ leak check: nothing left behind"
  else
    echo "  ✗ leak check failed (exit $rc); last lines of its output:"
    tail -n 15 "$work/leaks.log" | sed 's/^/      /'
    violations=$((violations + 1))
  fi
}

# build_track PRESET: configures and builds quietly; the log is shown only
# when something fails, so the summary stays readable.
build_track() {
  local preset=$1 log="$work/build-$1.log"
  if cmake --preset "$preset" >"$log" 2>&1 && cmake --build --preset "$preset" >>"$log" 2>&1; then
    echo "  ✓ built (preset $preset)"
  else
    tail -n 40 "$log"
    echo "check-tracks: the '$preset' preset does not configure or build (log above)" >&2
    exit 1
  fi
}

lesson_ids=$(list_lessons | cut -f1)

# Every function a lesson.json lists must be a named region of the solution
# file it names, or the metadata (and the grading built on it) lies.
echo "== lesson metadata =="
if python3 - <<'EOF'
import glob, json, os, re, sys
bad = 0
for path in sorted(glob.glob("lessons/*/lesson.json")):
    with open(path, encoding="utf-8") as f:
        lesson = json.load(f)
    for function in lesson.get("functions", []):
        source = os.path.join("solutions", lesson["id"], function["file"])
        marker = re.compile(r"^\s*//\s*BEGIN SOLUTION\s+" + re.escape(function["name"]) + r"\s*$", re.M)
        try:
            with open(source, encoding="utf-8") as f:
                found = marker.search(f.read()) is not None
        except OSError:
            found = False
        if not found:
            print(f"  ✗ {path}: {function['name']} is not a `// BEGIN SOLUTION {function['name']}` region of {source}")
            bad += 1
sys.exit(1 if bad else 0)
EOF
then
  echo "  ✓ every listed function is a marked region of its solution file"
else
  violations=$((violations + 1))
fi

echo
echo "== student track: pristine exercises/ (build-student/) =="
[[ $build -eq 1 ]] && build_track student
check_track student build-student
check_leaks build-student

if [[ $reference -eq 1 ]]; then
  echo
  echo "== reference track: solutions/ (build/) =="
  [[ $build -eq 1 ]] && build_track default
  check_track reference build
  # Everything that is not a lesson's program (tools, exercises-up-to-date,
  # the leak check) through ctest; the lessons already ran above.
  exclude="^($(paste -sd'|' <<<"$lesson_ids"))\$"
  if ctest --preset default -LE "$exclude" >"$work/ctest.log" 2>&1; then
    echo "  ✓ other tests (ctest, lessons excluded): $(grep -E 'tests passed|No tests were found' "$work/ctest.log" | tail -n 1)"
  else
    echo "  ✗ other tests (ctest, lessons excluded) fail:"
    sed -n '/The following tests FAILED/,$p' "$work/ctest.log" | sed 's/^/      /'
    violations=$((violations + 1))
  fi
fi

echo
if [[ $violations -eq 0 ]]; then
  echo "check-tracks: OK"
else
  echo "check-tracks: $violations lesson(s) or step(s) violate the rules above"
  exit 1
fi
