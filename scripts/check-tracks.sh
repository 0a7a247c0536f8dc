#!/usr/bin/env bash
# Checks the two facts the course rests on:
#   student track (pristine exercises/, build-student/): every check of every
#     lesson fails, each failure says "not implemented yet", and no test
#     program crashes — a student starts from clear messages, not from a
#     segfault or a check that passes by accident;
#   reference track (solutions/, build/), with --reference: every check passes.
#   the staircase, with --staircase: the course can be done in order — for
#     every N, a student tree with lessons 0…N solved (solutions/ copied in)
#     and the later ones pristine passes `kubik-course check N`, the course's
#     own command, and the first unsolved lesson still fails with "not
#     implemented yet" and nothing else.
# and, first, that every function a lesson.json lists is a marked region of
# its solution file.
#
# usage: scripts/check-tracks.sh [--reference] [--staircase] [--no-build]
#   --reference   also build the reference track and require every test to pass
#   --staircase   check the student track in build-staircase/, built from a
#                 copy of exercises/ in build-staircase/tree/ (KUBIK_LESSONS_SOURCE),
#                 pristine first, then solved one lesson at a time; each step
#                 rebuilds only the lesson copied in. Replaces the check of
#                 build-student/, so CI builds the student track once.
#   --no-build    use the existing build-student/ (and build/) as they are
#
# Lessons and their test programs come from lessons/*/lesson.json
# ("test_binary", looked for in BUILD/tests/). Needs root, like the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

reference=0
staircase=0
build=1
for arg in "$@"; do
  case "$arg" in
    --reference) reference=1 ;;
    --staircase) staircase=1 ;;
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
            problems.append(f"{name} passed, but its lesson is still the starter code (stubs)")
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

# check_one MODE BUILD_DIR ID BINARY [PREFIX]: runs one lesson's program of
# one build and judges it as MODE.
check_one() {
  local mode=$1 build_dir=$2 id=$3 binary=$4 prefix=${5:-}
  local program="$build_dir/tests/$binary"
  local report="$work/$mode-$id.json" log="$work/$mode-$id.log"
  local rc verdict verdict_line checks output
  rm -f "$report"
  if [[ ! -x "$program" ]]; then
    echo "  ✗ $prefix$id: $program is missing (not built?)"
    violations=$((violations + 1))
    return
  fi
  rc=0
  # The braces' 2>/dev/null silences bash's own "Segmentation fault" notice;
  # the crash is reported below with the program's output.
  { timeout "$PROGRAM_TIMEOUT" "$program" --gtest_output="json:$report" >"$log" 2>&1; } 2>/dev/null || rc=$?
  if [[ $rc -eq 124 ]]; then
    echo "  ✗ $prefix$id: $program did not finish within ${PROGRAM_TIMEOUT}s"
    violations=$((violations + 1))
    return
  fi
  if [[ $rc -gt 128 ]]; then
    echo "  ✗ $prefix$id: $program crashed (signal $((rc - 128))); last lines of its output:"
    tail -n 15 "$log" | sed 's/^/      /'
    violations=$((violations + 1))
    return
  fi
  if [[ ! -s "$report" ]]; then
    echo "  ✗ $prefix$id: $program exited $rc without writing its JSON report; last lines of its output:"
    tail -n 15 "$log" | sed 's/^/      /'
    violations=$((violations + 1))
    return
  fi
  output=$(judge "$mode" "$report" "$rc") && verdict=0 || verdict=$?
  verdict_line=$(tail -n 1 <<<"$output")
  checks=${verdict_line##* }
  if [[ $verdict -eq 0 ]]; then
    if [[ $mode == student ]]; then
      echo "  ✓ $prefix$id: all $checks checks fail with \"$MARKER\""
    else
      echo "  ✓ $prefix$id: all $checks checks pass"
    fi
  else
    local problems
    problems=$(sed '$d' <<<"$output")
    echo "  ✗ $prefix$id: $(grep -c . <<<"$problems") problem(s):"
    echo "$problems"
    violations=$((violations + 1))
  fi
}

# check_track MODE BUILD_DIR: runs every lesson's program of one build.
check_track() {
  local mode=$1 build_dir=$2 id binary
  while IFS=$'\t' read -r id binary; do
    check_one "$mode" "$build_dir" "$id" "$binary"
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

# build_track PRESET [BUILD_DIR CMAKE_ARGS...]: configures and builds quietly;
# the log is shown only when something fails, so the summary stays readable.
build_track() {
  local preset=$1 log="$work/build-$1.log"
  local configure=(cmake --preset "$preset") compile=(cmake --build --preset "$preset")
  if [[ $# -gt 1 ]]; then
    configure+=(-B "$2" "${@:3}")
    compile=(cmake --build "$2")
  fi
  local started=$SECONDS
  if "${configure[@]}" >"$log" 2>&1 && "${compile[@]}" >>"$log" 2>&1; then
    echo "  ✓ built (preset $preset${2:+ in $2}) in $((SECONDS - started)) s"
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

# staircase: solves lesson after lesson in a copy of exercises/ and runs the
# course's own `check N` after each, as a student who works in order would.
staircase() {
  local build_dir=$1 tree=$2 id binary n=0 rc log
  local -a ids=() binaries=()
  while IFS=$'\t' read -r id binary; do ids+=("$id"); binaries+=("$binary"); done < <(list_lessons)
  for n in "${!ids[@]}"; do
    id=${ids[$n]}
    # The last step, every lesson solved, is the whole course: the grader's
    # GradeBasics.SolutionsScoreFullPoints builds exactly that student tree
    # and runs every lesson's checks through `kubik-course` (in ctest, as CI
    # runs it), so running them again here would only cost minutes.
    if (( n + 1 == ${#ids[@]} && n > 0 )); then
      echo "  · lessons 0…$n solved (the whole course): checked by ctest's kubik-course-grade (SolutionsScoreFullPoints), not again here"
      break
    fi
    # Only the files that differ are copied, and without -p: a copy is newer
    # than every object built from the stub, so the build can't keep a stub's
    # object, while a header the exercise already has byte for byte keeps its
    # time and doesn't recompile all that includes it (minutes per step).
    local file
    while IFS= read -r -d '' file; do
      if ! cmp -s "solutions/$id/$file" "$tree/$id/$file"; then
        mkdir -p "$(dirname "$tree/$id/$file")"
        cp "solutions/$id/$file" "$tree/$id/$file"
      fi
    done < <(cd "solutions/$id" && find . -type f -printf '%P\0')
    log="$work/staircase-$n.log"
    rc=0
    local step_started=$SECONDS
    # A hang must not hang CI: every lesson's program has its own limit inside
    # check, this one covers the build and all lessons together.
    timeout "$PROGRAM_TIMEOUT" "$build_dir/kubik-course" --lang en check "$n" >"$log" 2>&1 || rc=$?
    if [[ $rc -eq 0 ]]; then
      echo "  ✓ lessons 0…$n solved, later ones pristine: \`kubik-course check $n\` passes ($((SECONDS - step_started)) s with the build)"
    else
      echo "  ✗ lessons 0…$n solved, later ones pristine: \`kubik-course check $n\` exits $rc; it says:"
      sed 's/^/      /' "$log" | tail -n 40
      violations=$((violations + 1))
      return
    fi
    # The next lesson is still all stubs: each of its checks must say so
    # and nothing else — a check that passes or crashes against stubs would
    # mislead the student who starts on it.
    if (( n + 1 < ${#ids[@]} )); then
      check_one student "$build_dir" "${ids[$((n + 1))]}" "${binaries[$((n + 1))]}" "(lessons 0…$n solved) "
    fi
  done
}

echo
if [[ $staircase -eq 1 ]]; then
  staircase_dir=build-staircase
  echo "== student track: pristine copy of exercises/ ($staircase_dir/tree), then solved in order =="
  if [[ $build -eq 1 ]]; then
    rm -rf "$staircase_dir/tree"
    mkdir -p "$staircase_dir"
    cp -r exercises "$staircase_dir/tree"
    build_track student "$staircase_dir" -DKUBIK_LESSONS_SOURCE="$PWD/$staircase_dir/tree"
  fi
  check_track student "$staircase_dir"
  check_leaks "$staircase_dir"
  echo
  echo "== staircase: lesson after lesson, \`kubik-course check N\` after each =="
  staircase "$staircase_dir" "$staircase_dir/tree"
else
  echo "== student track: pristine exercises/ (build-student/) =="
  [[ $build -eq 1 ]] && build_track student
  check_track student build-student
  check_leaks build-student
fi

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
