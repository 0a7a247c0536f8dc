"""What the docs site and scripts/check-docs.sh share: how lesson texts point
at real code, how a Russian text records the English text it translates, and
the checks that keep the two languages and the code in step.

Only the standard library: scripts/check-docs.sh runs this without Sphinx.

Code in a lesson text
---------------------
A fenced code block that shows real code is preceded by a comment naming
where the code lives:

    <!-- code: ../../src/runtime/rootfs_mount.cpp#make-mounts-private -->
    ```cpp
    ...the code, pasted...
    ```

The path is relative to the lesson text. `#NAME` is the region between the
lines `// [docs:NAME]` and `// [docs:NAME end]` of that file; `#solution:NAME`
is the code of the marked region `// BEGIN SOLUTION NAME` ... `// END SOLUTION`
without its TODO block (which stays in the exercise). The pasted block must
equal the region, common indentation removed: the checks fail when the code
has changed and the text has not, and `check-docs.sh --update-code` pastes
the current code. Pasted, so that the text reads the same in any Markdown
viewer; on the docs site the block becomes a literalinclude of the region,
with the file's own line numbers.

No solution in a lesson text
----------------------------
A lesson text may show the code of src/ and the skeleton of an exercise,
never the code a student is to write. The check fails when a code block of a
checked text quotes the body of a `// BEGIN SOLUTION` region (its TODO block
excluded) of any file in solutions/: when one of the block's lines, compared
without whitespace and without a trailing `// comment`, equals a line of the
region, or one of the two (20 characters or more, a trailing `;` dropped)
contains the other (for code; a comment of the region counts only when the
block has the same comment). Lines shorter than 12 characters (braces, `return env;`)
don't count, nor lines that also exist in exercises/ or src/ (the skeleton,
its TODO comments and the runtime's code may be shown). A `#solution:NAME`
reference fails too.

Translation records
-------------------
The first line of every Russian text X.ru.md is

    <!-- translates: X.md sha256:HEX -->

with the SHA-256 of the English text X.md as it was when the translation was
last brought up to date (normalized: LF line ends, no trailing spaces or
trailing blank lines, and without the bodies of `<!-- code: -->` blocks, which
are checked against the sources instead). When the English text changes, the
hash no longer matches and the check names the file and the commit the
translation was made from; update the Russian text, then record the new hash
with `scripts/check-docs.sh --stamp X.ru.md`.

Diagrams
--------
A diagram is a Graphviz file next to the text, one per language, shown by
MyST's graphviz directive (sphinx.ext.graphviz renders it on the docs site):

    ```{graphviz} diagrams/NAME.en.dot        (README.md)
    ```{graphviz} diagrams/NAME.ru.dot        (README.ru.md)

Both texts show the same diagrams in the same order, each in its own
language; every diagram renders with `dot` without an error or a warning.
DOT_ARGS is the shared style (fonts, shapes, colours), given to `dot` both
here and by the docs site, so the files hold only what they draw.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CODE_REF = re.compile(r"^<!--\s*code:\s*(?P<path>[^#\s]+)#(?P<name>[\w:.-]+)\s*-->\s*$")
TRANSLATES = re.compile(r"^<!--\s*translates:\s*(?P<source>\S+)\s+sha256:(?P<hash>[0-9a-f]{64})\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
HEADING = re.compile(r"^ {0,3}(?P<level>#{1,6})(?:[ \t]+|$)(?P<text>.*?)[ \t#]*$")
# A MyST directive (```{name} args) whose options name included code.
DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<args>.*)$")
INCLUDE_DIRECTIVES = ("literalinclude", "include")
INCLUDE_OPTIONS = re.compile(r"^:(start-after|end-before|start-at|end-at|lines|pyobject):")
RU_SUFFIX = ".ru.md"
DIAGRAM = re.compile(r"^diagrams/(?P<name>[\w-]+)\.(?P<lang>en|ru)\.dot$")
# The shared look of every diagram: fonts, node shape, spacing. `dot -N...`
# beats a file's `node [...]` line, so colours are left to the files (per
# node, or in a `node [...]` line); docs/authoring.md lists what each means.
DOT_ARGS = [
    "-Gfontname=DejaVu Sans", "-Gfontsize=11", "-Gbgcolor=white", "-Gpad=0.15",
    "-Gnodesep=0.3", "-Granksep=0.4",
    "-Nfontname=DejaVu Sans", "-Nfontsize=11", "-Nmargin=0.12,0.06",
    "-Efontname=DejaVu Sans", "-Efontsize=10", "-Earrowsize=0.7",
]


# ---------------------------------------------------------------- markdown


@dataclass
class Block:
    """A fenced code block of a Markdown text."""
    start: int          # 0-based line of the opening fence
    end: int            # 0-based line of the closing fence (or len(lines))
    info: str           # what follows the opening fence: "cpp", "{literalinclude} path"
    body: list[str]     # the lines between the fences


def fenced_blocks(lines: list[str]) -> list[Block]:
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, start = m["fence"], i
        i += 1
        while i < len(lines):
            close = FENCE.match(lines[i])
            if close and close["fence"][0] == fence[0] and len(close["fence"]) >= len(fence) \
                    and not close["info"].strip():
                break
            i += 1
        blocks.append(Block(start, i, m["info"].strip(), lines[start + 1:i]))
        i += 1
    return blocks


def outside_fences(lines: list[str]) -> list[tuple[int, str]]:
    """(line number, line) of every line not inside a fenced block."""
    inside = set()
    for b in fenced_blocks(lines):
        inside.update(range(b.start, b.end + 1))
    return [(n, line) for n, line in enumerate(lines) if n not in inside]


def headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line number, level, text) of every ATX heading outside code blocks."""
    found = []
    for n, line in outside_fences(lines):
        m = HEADING.match(line)
        if m:
            found.append((n, len(m["level"]), m["text"]))
    return found


@dataclass
class CodeRef:
    line: int           # 0-based line of the <!-- code: --> comment
    path: str           # as written, relative to the text
    name: str           # region name, or "solution:NAME"
    block: Block | None  # the fenced block right after the comment


def code_refs(lines: list[str]) -> list[CodeRef]:
    blocks = {b.start: b for b in fenced_blocks(lines)}
    refs = []
    for n, line in outside_fences(lines):
        m = CODE_REF.match(line)
        if m:
            refs.append(CodeRef(n, m["path"], m["name"], blocks.get(n + 1)))
    return refs


def diagram_refs(lines: list[str]) -> list[tuple[int, str]]:
    """(line number, argument) of every graphviz directive of a text."""
    found = []
    for b in fenced_blocks(lines):
        m = DIRECTIVE.match(b.info)
        if m and m["name"] == "graphviz":
            found.append((b.start, m["args"].strip()))
    return found


def included_code(lines: list[str]) -> list[str]:
    """What a text includes, in order: code comments and include directives,
    as strings that must be equal in both languages."""
    found = []
    for ref in code_refs(lines):
        found.append(f"code: {ref.path}#{ref.name}")
    for b in fenced_blocks(lines):
        m = DIRECTIVE.match(b.info)
        if m and (m["name"] in INCLUDE_DIRECTIVES or m["name"].startswith("doxygen")):
            opts = [l.strip() for l in b.body if INCLUDE_OPTIONS.match(l.strip())]
            found.append(" ".join([f"{{{m['name']}}} {m['args']}"] + opts).strip())
    return found


# ------------------------------------------------------------- code regions


class RegionError(Exception):
    pass


@dataclass
class Region:
    file: Path
    first: int          # 1-based number of the region's first line
    lines: list[str]    # the region's lines, as in the file

    def dedented(self) -> list[str]:
        return textwrap.dedent("".join(l + "\n" for l in self.lines)).splitlines()


def find_region(file: Path, name: str) -> Region:
    """The lines of region `name` of `file` (see the module's docstring)."""
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise RegionError(f"cannot read {rel(file)}: {e.strerror}") from None
    if name.startswith("solution:"):
        fn = name.split(":", 1)[1]
        found = [r for r in solution_regions(file, lines) if r.name == fn]
        if len(found) != 1:
            raise RegionError(f"{rel(file)}: expected one region '// BEGIN SOLUTION {fn}', found {len(found)}")
        r = found[0]
        return Region(file, r.code + 1, lines[r.code:r.end])
    open_marker, close_marker = f"// [docs:{name}]", f"// [docs:{name} end]"
    opens = [i for i, l in enumerate(lines) if l.strip() == open_marker]
    closes = [i for i, l in enumerate(lines) if l.strip() == close_marker]
    if len(opens) != 1 or len(closes) != 1 or closes[0] <= opens[0]:
        raise RegionError(f"{rel(file)}: expected one '{open_marker}' line followed by one "
                          f"'{close_marker}' line (found {len(opens)} and {len(closes)})")
    return Region(file, opens[0] + 2, lines[opens[0] + 1:closes[0]])


BEGIN_SOLUTION = re.compile(r"^\s*//\s*BEGIN SOLUTION(?:\s+(?P<name>[\w:]+))?\s*$")
END_SOLUTION = re.compile(r"^\s*//\s*END SOLUTION(?:\s+(?P<name>[\w:]+))?\s*$")


@dataclass
class SolutionRegion:
    name: str | None    # None for an unnamed region (helpers at namespace scope)
    begin: int          # 0-based line of `// BEGIN SOLUTION`
    code: int           # 0-based first line after the TODO block (and blank lines)
    end: int            # 0-based line of `// END SOLUTION`


def solution_regions(file: Path, lines: list[str] | None = None) -> list[SolutionRegion]:
    """The marked regions of a solution file, by the rules of tools/README.md:
    the TODO block is the run of `//` lines right after BEGIN when the first
    starts with `// TODO`; gen-exercises keeps it, the rest is the student's."""
    if lines is None:
        lines = file.read_text(encoding="utf-8").splitlines()
    regions, i = [], 0
    while i < len(lines):
        m = BEGIN_SOLUTION.match(lines[i])
        if not m:
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if END_SOLUTION.match(lines[j])), None)
        if end is None:
            raise RegionError(f"{rel(file)}:{i + 1}: BEGIN SOLUTION without END SOLUTION")
        code = i + 1
        if code < end and lines[code].strip().startswith("// TODO"):
            while code < end and lines[code].strip().startswith("//"):
                code += 1
        while code < end and not lines[code].strip():
            code += 1
        regions.append(SolutionRegion(m["name"], i, code, end))
        i = end + 1
    return regions


def rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


# ------------------------------------------------------- solution quoting

QUOTE_MIN = 12          # shorter normalized lines never count
CONTAIN_MIN = 20        # for "one line contains the other"
SOURCE_SUFFIXES = (".cpp", ".hpp", ".h", ".cc")


def code_key(line: str) -> str:
    """A line as the solution check compares it: a comment-only line as its
    text, any other without its trailing `// comment`; no whitespace at all."""
    stripped = line.strip()
    if not stripped.startswith("//"):
        in_string, i = None, 0
        while i < len(stripped) - 1:
            c = stripped[i]
            if in_string:
                if c == "\\":
                    i += 1
                elif c == in_string:
                    in_string = None
            elif c in "\"'":
                in_string = c
            elif stripped.startswith("//", i):
                stripped = stripped[:i]
                break
            i += 1
    return re.sub(r"\s+", "", stripped)


def counts(key: str) -> bool:
    return len(key) >= QUOTE_MIN and re.search(r"[\w]", key) is not None


@dataclass
class SolutionLine:
    file: Path
    line: int           # 1-based
    region: str         # the region's name, or "unnamed (line N)"
    key: str


def solution_lines_of(file: Path, lines: list[str]) -> list[SolutionLine]:
    """The countable body lines of the solution regions of one file."""
    found = []
    for r in solution_regions(file, lines):
        name = r.name or f"unnamed (line {r.begin + 1})"
        for n in range(r.code, r.end):
            key = code_key(lines[n])
            if counts(key):
                found.append(SolutionLine(file, n + 1, name, key))
    return found


def solution_lines() -> list[SolutionLine]:
    """The countable body lines of every solution region."""
    found = []
    for file in sorted((REPO / "solutions").rglob("*")):
        if file.is_file() and file.suffix in SOURCE_SUFFIXES:
            found += solution_lines_of(file, file.read_text(encoding="utf-8").splitlines())
    return found


def public_keys() -> set[str]:
    """Lines a text may show: those of exercises/ and src/."""
    keys = set()
    for top in ("exercises", "src"):
        for file in (REPO / top).rglob("*"):
            if file.is_file() and file.suffix in SOURCE_SUFFIXES:
                keys.update(code_key(l) for l in file.read_text(encoding="utf-8").splitlines())
    return keys


def quotes(block_key: str, sol_key: str) -> bool:
    """Whether a block's line quotes a solution's line (both code_key()s): the
    same, or, for code, one containing the other. A comment of the solution
    counts only when the block has it as a comment: the solution's comment
    `// "36 25 0:31 / ..."` shows a mountinfo line a text may show too."""
    if block_key == sol_key:
        return True
    if block_key.startswith("//") or sol_key.startswith("//"):
        return False
    a, b = block_key.rstrip(";"), sol_key.rstrip(";")
    return (len(a) >= CONTAIN_MIN and a in b) or (len(b) >= CONTAIN_MIN and b in a)


def check_solution_quotes(text: Path, lines: list[str], problems: list[str],
                          solution: list[SolutionLine], public: set[str]):
    """Fails a text whose code blocks quote a solution region (see the module's docstring)."""
    for ref in code_refs(lines):
        if ref.name.startswith("solution:"):
            problems.append(f"{rel(text)}:{ref.line + 1}: includes the solution region "
                            f"{ref.path}#{ref.name}: a lesson text may show src/ and exercises/ code, "
                            f"never a solution")
    for b in fenced_blocks(lines):
        hits: dict[tuple[Path, str], list[tuple[int, SolutionLine]]] = {}
        for i, line in enumerate(b.body):
            key = code_key(line)
            if not counts(key) or key in public:
                continue
            for sl in solution:
                if quotes(key, sl.key):
                    hits.setdefault((sl.file, sl.region), []).append((b.start + 2 + i, sl))
                    break
        for (file, region), where in hits.items():
            first, sl = where[0]
            more = f" and {len(where) - 1} more line(s) of the block" if len(where) > 1 else ""
            problems.append(
                f"{rel(text)}:{first}: the code block quotes the solution region '{region}' of "
                f"{rel(file)} (line {sl.line}){more}: {lines[first - 1].strip()!r}. Describe the "
                f"calls and the pitfalls instead; a text may show src/ and exercises/ code, never a solution")


SELFTEST_SOLUTION = """\
void make_workdir(const std::string& dir) {
    // BEGIN SOLUTION make_workdir
    // TODO: create the directory, then chdir() into it.
    std::filesystem::create_directories(dir);
    if (::chdir(dir.c_str()) != 0) throw_errno("chdir to " + dir);
    // Docker's wording, so that scripts matching on it keep working.
    return;
    // END SOLUTION
}
"""
SELFTEST_PUBLIC = """\
    // TODO: create the directory, then chdir() into it.
    throw kubik::NotImplemented("not implemented yet: make_workdir()");
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
"""
# (a made-up text, the line numbers of the blocks it must name)
SELFTEST_TEXT = ("""\
# A made-up lesson
<!-- code: ../../solutions/x/workdir.cpp#solution:make_workdir -->
```cpp
if(::chdir(dir.c_str())!=0)   throw_errno("chdir to "+dir);   // reformatted, commented
```
Allowed: the skeleton, src/ code, a shell session, short lines.
```cpp
// TODO: create the directory, then chdir() into it.
if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
return;
}
```
```
# kubik run --rm -w /tmp/x busybox pwd
/tmp/x
```
A part of a line, and a comment of the solution:
```cpp
::chdir(dir.c_str());
```
```cpp
// Docker's wording, so that scripts matching on it keep working.
```
""", [2, 4, 19, 22])


def selftest() -> list[str]:
    """The solution-quoting rule on a made-up solution and text: what it must
    find and what it must let through."""
    solution = solution_lines_of(REPO / "solutions/x/workdir.cpp", SELFTEST_SOLUTION.splitlines())
    public = {code_key(l) for l in SELFTEST_PUBLIC.splitlines()}
    text, want = SELFTEST_TEXT
    problems: list[str] = []
    check_solution_quotes(REPO / "lessons/x/README.md", text.splitlines(), problems, solution, public)
    got = sorted(int(re.match(r"[^:]+:(\d+):", p)[1]) for p in problems)
    return [] if got == want else [f"expected problems at lines {want}, found {got}:"] + problems


# -------------------------------------------------------------- translation


def normalized(text: str) -> bytes:
    """What a translation record's hash covers: the text with LF line ends, no
    trailing spaces or blank lines, and without the bodies of the code blocks
    taken from the sources (the same in both languages, checked on their own),
    so that new code pasted by --update-code doesn't make a translation stale."""
    lines = [l.rstrip() for l in text.replace("\r\n", "\n").split("\n")]
    for ref in reversed(code_refs(lines)):
        if ref.block is not None:
            del lines[ref.block.start + 1:ref.block.end]
    while lines and not lines[-1]:
        lines.pop()
    return ("\n".join(lines) + "\n").encode("utf-8")


def text_hash(text: str) -> str:
    return hashlib.sha256(normalized(text)).hexdigest()


def english_of(ru: Path) -> Path:
    return ru.with_name(ru.name[: -len(RU_SUFFIX)] + ".md")


def translation_record(ru_lines: list[str]) -> re.Match | None:
    return TRANSLATES.match(ru_lines[0]) if ru_lines else None


def stamp(ru: Path) -> str:
    """Records in `ru` the hash of its English text as it is now."""
    en = english_of(ru)
    record = f"<!-- translates: {en.name} sha256:{text_hash(en.read_text(encoding='utf-8'))} -->"
    lines = ru.read_text(encoding="utf-8").split("\n")
    if translation_record(lines):
        lines[0] = record
    else:
        lines.insert(0, record)
    ru.write_text("\n".join(lines), encoding="utf-8")
    return record


def english_commit_with_hash(en: Path, wanted: str) -> str | None:
    """The newest commit whose version of `en` has the recorded hash: what the
    translation was made from, so that `git diff COMMIT -- en` shows what changed."""
    try:
        log = subprocess.run(["git", "-C", str(REPO), "log", "--format=%H", "--", rel(en)],
                             capture_output=True, text=True, check=True).stdout.split()
        for commit in log:
            old = subprocess.run(["git", "-C", str(REPO), "show", f"{commit}:{rel(en)}"],
                                 capture_output=True, text=True)
            if old.returncode == 0 and text_hash(old.stdout) == wanted:
                return commit
    except (OSError, subprocess.CalledProcessError):
        pass
    return None


# ------------------------------------------------------------------- checks


def text_pairs() -> list[tuple[Path, Path]]:
    """Every English text that has (or must have) a Russian translation."""
    pairs = []
    for lesson in sorted(p for p in (REPO / "lessons").iterdir() if p.is_dir()):
        pairs.append((lesson / "README.md", lesson / "README.ru.md"))
    for ru in sorted((REPO / "docs").glob("*" + RU_SUFFIX)) + [REPO / "README.ru.md"]:
        if ru.exists():
            pairs.append((english_of(ru), ru))
    return pairs


def check_code_refs(text: Path, lines: list[str], problems: list[str], *, student_edition: bool):
    for ref in code_refs(lines):
        where = f"{rel(text)}:{ref.line + 1}"
        if ref.block is None:
            problems.append(f"{where}: '<!-- code: ... -->' must be followed directly by a fenced code block")
            continue
        file = (text.parent / ref.path)
        if student_edition and not file.exists() and "solutions/" in ref.path:
            continue  # the student edition has no solutions/: the pasted copy stands
        try:
            region = find_region(file, ref.name)
        except RegionError as e:
            problems.append(f"{where}: {e}")
            continue
        want = region.dedented()
        have = textwrap.dedent("".join(l + "\n" for l in ref.block.body)).splitlines()
        if have != want:
            diff = difflib.unified_diff(have, want, "the text", f"{rel(file)}", lineterm="", n=1)
            problems.append(
                f"{where}: the code block differs from {rel(file)}#{ref.name} "
                f"(lines {region.first}-{region.first + len(region.lines) - 1}); check that the text still "
                f"fits the code, then paste it (scripts/check-docs.sh --update-code does):\n"
                + "\n".join("    " + l for l in diff))


def check_pair(en: Path, ru: Path, problems: list[str]):
    name = rel(en.parent) if en.name == "README.md" and en.parent != REPO else rel(en)
    if not en.exists():
        problems.append(f"{name}: no English text {rel(en)}" if not ru.exists()
                        else f"{name}: {rel(ru)} has no English original {rel(en)}")
        return
    if not ru.exists():
        problems.append(f"{name}: {rel(en)} has no Russian translation {rel(ru)}")
        return
    en_lines = en.read_text(encoding="utf-8").splitlines()
    ru_lines = ru.read_text(encoding="utf-8").splitlines()

    he, hr = headings(en_lines), headings(ru_lines)
    if [h[1] for h in he] != [h[1] for h in hr]:
        detail = f"{len(he)} headings in English, {len(hr)} in Russian"
        for i, (a, b) in enumerate(zip(he, hr)):
            if a[1] != b[1]:
                detail = (f"heading {i + 1} is level {a[1]} in English ({rel(en)}:{a[0] + 1} "
                          f"'{a[2]}'), level {b[1]} in Russian ({rel(ru)}:{b[0] + 1} '{b[2]}')")
                break
        else:
            longer, which, f = (he, "English", en) if len(he) > len(hr) else (hr, "Russian", ru)
            extra = longer[min(len(he), len(hr))]
            detail += f"; first extra: {which} {rel(f)}:{extra[0] + 1} '{extra[2]}'"
        problems.append(f"{name}: the English and Russian texts have different headings: {detail}")

    ie, ir = included_code(en_lines), included_code(ru_lines)
    if ie != ir:
        problems.append(f"{name}: the English and Russian texts include different code:\n"
                        f"    English: {ie}\n    Russian: {ir}")

    de, dr = check_diagrams(en, en_lines, "en", problems), check_diagrams(ru, ru_lines, "ru", problems)
    if de != dr:
        problems.append(f"{name}: the English and Russian texts show different diagrams (diagrams/NAME.en.dot "
                        f"and diagrams/NAME.ru.dot, in the same order):\n    English: {de}\n    Russian: {dr}")

    record = translation_record(ru_lines)
    current = text_hash(en.read_text(encoding="utf-8"))
    if not record:
        problems.append(f"{name}: {rel(ru)} does not record which English text it translates; its first line "
                        f"must be '<!-- translates: {en.name} sha256:... -->' "
                        f"(scripts/check-docs.sh --stamp {rel(ru)} writes it)")
    elif record["source"] != en.name:
        problems.append(f"{name}: {rel(ru)} says it translates {record['source']}, not {en.name}")
    elif record["hash"] != current:
        commit = english_commit_with_hash(en, record["hash"])
        since = (f"; what changed: git diff {commit[:12]} -- {rel(en)}" if commit
                 else " (no commit of it has the recorded hash)")
        problems.append(f"{name}: the Russian translation is stale: {rel(en)} changed after {rel(ru)} was "
                        f"last brought up to date{since}. Update {rel(ru)}, then run "
                        f"scripts/check-docs.sh --stamp {rel(ru)}")


def render_dot(file: Path) -> str | None:
    """None when `dot` draws `file` without complaint, else what it said."""
    try:
        run = subprocess.run(["dot", *DOT_ARGS, "-Tsvg", "-o", "/dev/null", str(file)],
                             capture_output=True, text=True)
    except FileNotFoundError:
        return "dot is missing: install Debian's graphviz (scripts/install-deps.sh does)"
    said = run.stderr.strip().replace(str(file), rel(file))
    if run.returncode != 0 or said:
        return said or f"dot exited with status {run.returncode}"
    return None


def check_diagrams(text: Path, lines: list[str], lang: str, problems: list[str]) -> list[str]:
    """Checks the text's diagrams (see the module's docstring); returns their
    names in order, to compare with the other language's."""
    names = []
    for n, arg in diagram_refs(lines):
        where = f"{rel(text)}:{n + 1}"
        m = DIAGRAM.match(arg)
        if not m or m["lang"] != lang:
            problems.append(f"{where}: a diagram of this text is a file diagrams/NAME.{lang}.dot next to it "
                            f"('```{{graphviz}} diagrams/NAME.{lang}.dot'), not '{arg or 'inline source'}'")
            continue
        names.append(m["name"])
        file = text.parent / arg
        if not file.is_file():
            problems.append(f"{where}: no diagram file {rel(file)}")
            continue
        said = render_dot(file)
        if said:
            problems.append(f"{rel(file)}: dot cannot draw it (shown at {where}):\n"
                            + "\n".join("    " + l for l in said.splitlines()))
    return names


def update_code(text: Path) -> int:
    """Pastes the current code of every `<!-- code: -->` region into `text`;
    returns how many blocks changed."""
    lines = text.read_text(encoding="utf-8").split("\n")
    changed = 0
    for ref in reversed(code_refs(lines)):
        if ref.block is None:
            continue
        region = find_region(text.parent / ref.path, ref.name)
        indent = re.match(r"\s*", lines[ref.block.start]).group(0)
        body = [indent + l if l else l for l in region.dedented()]
        if lines[ref.block.start + 1:ref.block.end] != body:
            lines[ref.block.start + 1:ref.block.end] = body
            changed += 1
    if changed:
        text.write_text("\n".join(lines), encoding="utf-8")
    return changed


def quote_checked_texts() -> list[Path]:
    """The texts whose code blocks must not quote a solution: every text of
    text_pairs(), the other pages of docs/ (docs/solutions.md is the
    instructor's page of solutions and includes them on purpose) and
    tools/README.md."""
    texts = [t for pair in text_pairs() for t in pair]
    texts += sorted((REPO / "docs").glob("*.md")) + [REPO / "tools" / "README.md"]
    skip = {REPO / "docs" / "solutions.md", REPO / "docs" / ("solutions" + RU_SUFFIX)}
    seen, out = set(), []
    for t in texts:
        if t.exists() and t not in seen and t not in skip:
            seen.add(t)
            out.append(t)
    return out


def check_all() -> list[str]:
    problems: list[str] = []
    student_edition = not (REPO / "solutions").is_dir()
    for en, ru in text_pairs():
        check_pair(en, ru, problems)
        for text in (en, ru):
            if text.exists():
                check_code_refs(text, text.read_text(encoding="utf-8").splitlines(), problems,
                                student_edition=student_edition)
    if not student_edition:  # the student edition has no solutions/ to compare with
        solution, public = solution_lines(), public_keys()
        for text in quote_checked_texts():
            check_solution_quotes(text, text.read_text(encoding="utf-8").splitlines(), problems,
                                  solution, public)
    return problems


def lesson_title(lesson_dir: Path, lang: str) -> str:
    try:
        meta = json.loads((lesson_dir / "lesson.json").read_text(encoding="utf-8"))
        title = meta["title"]
        return title.get(lang) or title.get("en") if isinstance(title, dict) else str(title)
    except (OSError, ValueError, KeyError):
        return lesson_dir.name


def main(argv: list[str]) -> int:
    if argv[:1] == ["--stamp"]:
        if len(argv) < 2:
            print("usage: check-docs.sh --stamp FILE.ru.md...", file=sys.stderr)
            return 2
        for arg in argv[1:]:
            ru = Path(arg).resolve()
            if not ru.name.endswith(RU_SUFFIX) or not english_of(ru).exists():
                print(f"check-docs: {arg}: not a Russian text X.ru.md next to its X.md", file=sys.stderr)
                return 2
            print(f"{rel(ru)}: {stamp(ru)}")
        return 0
    if argv == ["--selftest"]:
        failures = selftest()
        for f in failures:
            print("check-docs --selftest: " + f, file=sys.stderr)
        if not failures:
            print("check-docs --selftest: the solution-quoting rule finds what it must and nothing else")
        return 1 if failures else 0
    if argv == ["--update-code"]:
        for pair in text_pairs():
            for text in pair:
                if text.exists():
                    try:
                        n = update_code(text)
                    except RegionError as e:
                        print(f"check-docs: {rel(text)}: {e}", file=sys.stderr)
                        return 1
                    if n:
                        print(f"{rel(text)}: {n} code block(s) updated from the sources")
        return 0
    if argv:
        print("usage: check-docs.sh [--stamp FILE.ru.md... | --update-code | --selftest]", file=sys.stderr)
        return 2
    problems = check_all()
    for p in problems:
        print("check-docs: " + p, file=sys.stderr)
    pairs = text_pairs()
    if problems:
        print(f"check-docs: {len(problems)} problem(s) in {len(pairs)} English/Russian text pairs", file=sys.stderr)
        return 1
    print(f"check-docs: {len(pairs)} English/Russian text pairs agree: same headings, same included code "
          f"and diagrams, translations up to date, code blocks match the sources and quote no solution, "
          f"diagrams draw")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
