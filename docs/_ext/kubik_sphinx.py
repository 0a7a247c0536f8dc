"""Sphinx extension of Kubik's docs site.

- Which files are the site's pages, per language (`site_pages`), and the
  table of contents (`<!-- kubik:contents -->` in docs/index*.md): every
  lessons/NN-topic/ folder and every docs/*.md is picked up by itself.
- Code in lesson texts: a block preceded by `<!-- code: PATH#NAME -->` is
  checked against the real source and shown as a literalinclude of it, with
  the file's own line numbers (see kubikdocs.py). A block that no longer
  matches the source is a warning, so `sphinx-build -W` fails.
- `<!-- kubik:api -->`: the API reference, one section per public header
  (src/**/*.hpp and the lessons' headers), from Doxygen's XML through Breathe.
- `<!-- kubik:solutions -->`: every marked region of solutions/, included.
- Links to the other language's texts (README.md <-> README.ru.md) lead to
  the other site; each page's sidebar links to its translation.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import kubikdocs as kd

REPO = kd.REPO
OTHER = {"en": "ru", "ru": "en"}

TEXT = {
    "en": {
        "course": "Course", "lessons": "Lessons", "reference": "Reference",
        "lesson": "Lesson", "helpers": "helpers (namespace scope)",
        "other_language": "Русская версия", "language": "Language",
        "api_lessons": "Lesson headers (the contracts students implement)",
        "api_runtime": "The runtime (src/)",
    },
    "ru": {
        "course": "Курс", "lessons": "Уроки", "reference": "Справочник",
        "lesson": "Урок", "helpers": "вспомогательный код (уровень пространства имён)",
        "other_language": "English version", "language": "Язык",
        "api_lessons": "Заголовки уроков (контракты, которые реализуют студенты)",
        "api_runtime": "Рантайм (src/)",
    },
}

# docs/*.md in this order first; any other page follows in name order.
GUIDES = ["vagrant"]
REFERENCE = ["architecture", "api", "benchmarks", "vm-test", "authoring"]
SPECIAL = {"index", "solutions"}


# --------------------------------------------------------------- the pages


def lesson_dirs(repo: Path = REPO) -> list[Path]:
    return sorted(p for p in (repo / "lessons").iterdir()
                  if p.is_dir() and re.fullmatch(r"\d\d-[\w-]+", p.name) and (p / "README.md").exists())


def localized(path_en: Path, lang: str) -> Path:
    """The page for `lang`: X.ru.md when it exists, else X.md (shown in English)."""
    if lang == "ru":
        ru = Path(str(path_en)[:-3] + kd.RU_SUFFIX)
        if ru.exists():
            return ru
    return path_en


def doc_pages(repo: Path, with_solutions: bool) -> tuple[list[str], list[str]]:
    """Names (X of docs/X.md) of the guide pages and the reference pages."""
    names = sorted(p.name[:-3] for p in (repo / "docs").glob("*.md") if not p.name.endswith(kd.RU_SUFFIX))
    guides = [n for n in GUIDES if n in names]
    reference = [n for n in REFERENCE if n in names]
    reference += [n for n in names if n not in guides + reference and n not in SPECIAL]
    if with_solutions and "solutions" in names and (repo / "solutions").is_dir():
        reference.append("solutions")
    return guides, reference


def page_model(repo: Path, lang: str, with_solutions: bool) -> dict[str, list[tuple[str, str]]]:
    """Per section of the contents: (key, docname) pairs. The key is the English
    docname, the same in both languages; docnames are paths without .md."""
    def entry(path_en: Path) -> tuple[str, str]:
        key = str(path_en.relative_to(repo))[:-3]
        return key, str(localized(path_en, lang).relative_to(repo))[:-3]

    guides, reference = doc_pages(repo, with_solutions)
    return {
        "root": [entry(repo / "docs/index.md")],
        "course": [entry(repo / "README.md")] + [entry(repo / f"docs/{n}.md") for n in guides],
        "lessons": [entry(d / "README.md") for d in lesson_dirs(repo)],
        "reference": [entry(repo / f"docs/{n}.md") for n in reference],
    }


def site_pages(repo: Path, lang: str, with_solutions: bool) -> list[str]:
    """include_patterns for conf.py: exactly the pages of the site."""
    model = page_model(repo, lang, with_solutions)
    return [doc + ".md" for section in model.values() for _, doc in section]


def project_version(repo: Path) -> str:
    m = re.search(r"project\(\s*kubik\s+VERSION\s+([\d.]+)", (repo / "CMakeLists.txt").read_text())
    return m.group(1) if m else ""


# ------------------------------------------------------ generated sections


def contents_markdown(lang: str, with_solutions: bool) -> list[str]:
    t = TEXT[lang]
    model = page_model(REPO, lang, with_solutions)
    out = []
    for section in ("course", "lessons", "reference"):
        if not model[section]:
            continue
        out += ["```{toctree}", f":caption: {t[section]}", ":maxdepth: 1", ""]
        for key, doc in model[section]:
            # The README's title is the project's name, the same as the site's.
            out.append(f"README <{'/' + doc}>" if key == "README" else "/" + doc)
        out += ["```", ""]
    return out


def header_comment(path: Path) -> list[str]:
    """The comment that opens a header, as Markdown paragraphs."""
    text = []
    for line in path.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if s.startswith("///"):
            break
        if not s.startswith("//"):
            break
        text.append(s[2:].strip())
    return text


def lessons_code_dir() -> Path:
    """solutions/ in the course repository; exercises/ in the student edition
    (same headers: gen-exercises copies them as they are)."""
    sol = REPO / "solutions"
    return sol if sol.is_dir() else REPO / "exercises"


def public_headers() -> list[tuple[str, list[Path]]]:
    """(group, headers): each directory of src/, then each lesson's headers."""
    groups = []
    for d in sorted(p for p in (REPO / "src").iterdir() if p.is_dir()):
        headers = sorted(d.rglob("*.hpp"))
        if headers:
            groups.append((str(d.relative_to(REPO)), headers))
    for d in sorted(p for p in lessons_code_dir().iterdir() if p.is_dir()):
        headers = sorted(d.glob("*.hpp"))
        if headers:
            groups.append((str(d.relative_to(REPO)), headers))
    return groups


def doxygen_inputs() -> list[str]:
    return [str(h.relative_to(REPO)) for _, headers in public_headers() for h in headers]


def lesson_heading(lesson: str, lang: str) -> str:
    """'Lesson 1 — chroot: ...' from lessons/NN-topic/lesson.json."""
    number = int(lesson[:2])
    title = kd.lesson_title(REPO / "lessons" / lesson, lang)
    return f"{TEXT[lang]['lesson']} {number} — {title}"


def api_entities(xml_dir: Path) -> dict[str, list[tuple[int, list[str]]]]:
    """Per header (repository path): (line, Breathe directive) of each
    namespace-scope declaration in it, read from Doxygen's XML. One directive
    per entity, not `doxygenfile`: that one repeats the namespace in every
    file, and Sphinx rejects the duplicates."""
    import xml.etree.ElementTree as ET
    from collections import defaultdict

    index = ET.parse(xml_dir / "index.xml").getroot()
    classes = {c.findtext("name") for c in index.findall("compound") if c.get("kind") in ("class", "struct", "union")}
    found: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)

    def place(location, directive: list[str]) -> None:
        if location is not None and location.get("file", "").endswith(".hpp"):
            found[location.get("file")].append((int(location.get("line", "0")), directive))

    for compound in index.findall("compound"):
        kind, refid = compound.get("kind"), compound.get("refid")
        if kind in ("class", "struct", "union"):
            cdef = ET.parse(xml_dir / f"{refid}.xml").getroot().find("compounddef")
            name = cdef.findtext("compoundname")
            if name.rpartition("::")[0] in classes:
                continue  # a nested class: shown with its outer class
            place(cdef.find("location"), [f"```{{doxygen{kind}}} {name}", ":members:", "```"])
        elif kind == "namespace":
            cdef = ET.parse(xml_dir / f"{refid}.xml").getroot().find("compounddef")
            ns = cdef.findtext("compoundname")
            members = cdef.findall("sectiondef/memberdef")
            names = [m.findtext("name") for m in members]
            for m in members:
                mkind, name = m.get("kind"), m.findtext("name")
                if mkind not in ("function", "enum", "typedef", "variable"):
                    continue
                target = f"{ns}::{name}"
                if mkind == "function" and names.count(name) > 1:
                    target += m.findtext("argsstring") or ""
                place(m.find("location"), [f"```{{doxygen{mkind}}} {target}", "```"])
    return found


def api_markdown(lang: str, xml_dir: Path) -> list[str]:
    t = TEXT[lang]
    entities = api_entities(xml_dir)
    out = []
    groups = public_headers()
    runtime = [g for g in groups if g[0].startswith("src/")]
    lessons = [g for g in groups if not g[0].startswith("src/")]
    for title, part in ((t["api_lessons"], lessons), (t["api_runtime"], runtime)):
        out += [f"## {title}", ""]
        for group, headers in part:
            if group.startswith("src/"):
                out += [f"### `{group}/`", ""]
            else:
                out += [f"### {lesson_heading(Path(group).name, lang)}", ""]
            for h in headers:
                rel = str(h.relative_to(REPO))
                out += [f"#### `{rel}`", ""]
                comment = header_comment(h)
                if comment:
                    out += comment + [""]
                for _, directive in sorted(entities.get(rel, []), key=lambda e: e[0]):
                    out += directive + [""]
    return out


def solutions_markdown(lang: str) -> list[str]:
    out = []
    for d in sorted(p for p in (REPO / "solutions").iterdir() if p.is_dir()):
        out += [f"## {lesson_heading(d.name, lang)}", ""]
        for f in sorted(d.iterdir()):
            if f.suffix not in (".cpp", ".hpp"):
                continue
            regions = kd.solution_regions(f)
            if not regions:
                continue
            rel = str(f.relative_to(REPO))
            out += [f"### `{rel}`", ""]
            for r in regions:
                title = f"`{r.name}()`" if r.name else TEXT[lang]["helpers"]
                # the whole region, its TODO block included: what the student
                # reads in the exercise, then the reference code
                out += [f"#### {title}", "",
                        "```{literalinclude} /" + rel, ":language: cpp", f":lines: {r.begin + 2}-{r.end}",
                        ":lineno-match:", ":dedent:", "```", ""]
    return out


# ------------------------------------------------------------ source-read


def expand_code_refs(lines: list[str], text: Path, docname: str, warn) -> list[str]:
    for ref in reversed(kd.code_refs(lines)):
        if ref.block is None:
            warn("'<!-- code: ... -->' must be followed directly by a fenced code block", ref.line)
            continue
        file = (text.parent / ref.path).resolve()
        if not file.exists() and not (REPO / "solutions").is_dir() and "solutions/" in ref.path:
            continue  # the student edition has no solutions/: the pasted copy stands
        try:
            region = kd.find_region(file, ref.name)
        except kd.RegionError as e:
            warn(str(e), ref.line)
            continue
        have = kd.textwrap.dedent("".join(l + "\n" for l in ref.block.body)).splitlines()
        if have != region.dedented():
            warn(f"this code block differs from {kd.rel(file)}#{ref.name} "
                 f"(scripts/check-docs.sh shows the current code)", ref.block.start)
            continue
        indent = re.match(r"\s*", lines[ref.line]).group(0)
        language = ref.block.info.split()[0] if ref.block.info else "none"
        src = "/" + kd.rel(file)
        if ref.name.startswith("solution:"):
            span = [f":lines: {region.first}-{region.first + len(region.lines) - 1}"]
        else:
            span = [f":start-after: // [docs:{ref.name}]", f":end-before: // [docs:{ref.name} end]"]
        directive = ["```{literalinclude} " + src, f":language: {language}", *span,
                     ":dedent:", ":lineno-match:", f":caption: {kd.rel(file)}", "```"]
        lines[ref.line:ref.block.end + 1] = [indent + l for l in directive]
    return lines


def on_source_read(app, docname: str, source: list[str]) -> None:
    from sphinx.util import logging
    logger = logging.getLogger("kubik")
    lang, with_solutions = app.config.kubik_lang, app.config.kubik_with_solutions
    text = Path(app.env.doc2path(docname))

    def warn(message: str, line: int) -> None:
        logger.warning(message, location=(docname, line + 1))

    lines = source[0].split("\n")
    lines = expand_code_refs(lines, text, docname, warn)
    out = []
    for line in lines:
        marker = line.strip()
        if marker == "<!-- kubik:contents -->":
            out += contents_markdown(lang, with_solutions)
        elif marker == "<!-- kubik:api -->":
            out += api_markdown(lang, Path(app.config.breathe_projects["kubik"]))
        elif marker == "<!-- kubik:solutions -->":
            out += solutions_markdown(lang) if with_solutions else []
        else:
            out.append(line)
    source[0] = "\n".join(out)


# ------------------------------------------------- links between languages


def other_language_doc(app, key: str) -> str | None:
    lang = app.config.kubik_lang
    model = page_model(REPO, OTHER[lang], app.config.kubik_with_solutions)
    for section in model.values():
        for k, doc in section:
            if k == key:
                return doc
    return None


def key_of(app, docname: str) -> str | None:
    model = page_model(REPO, app.config.kubik_lang, app.config.kubik_with_solutions)
    for section in model.values():
        for key, doc in section:
            if doc == docname:
                return key
    return None


def url_to_other_site(app, fromdoc: str, otherdoc: str, anchor: str = "") -> str:
    up = "../" * (fromdoc.count("/") + 2)
    return f"{up}{OTHER[app.config.kubik_lang]}/html/{otherdoc}.html{anchor}"


def on_missing_reference(app, env, node, contnode):
    """[text](../README.ru.md) in an English text: the page of the Russian site."""
    target = node.get("reftarget", "")
    path, _, anchor = target.partition("#")
    if not path.endswith(".md"):
        return None
    refdoc = node.get("refdoc", env.docname)
    file = (Path(env.doc2path(refdoc)).parent / path).resolve()
    try:
        docname = str(file.relative_to(REPO))[:-3]
    except ValueError:
        return None
    key = docname[: -len(".ru")] if docname.endswith(".ru") else docname
    other = other_language_doc(app, key)
    if other != docname:
        return None
    from docutils import nodes
    ref = nodes.reference("", "", internal=False,
                          refuri=url_to_other_site(app, refdoc, other, "#" + anchor if anchor else ""))
    ref += contnode
    return ref


def on_html_page_context(app, pagename, templatename, context, doctree):
    key = key_of(app, pagename)
    other = other_language_doc(app, key) if key else None
    if other:
        context["kubik_other_language"] = {
            "url": url_to_other_site(app, pagename, other),
            "label": TEXT[app.config.kubik_lang]["other_language"],
            "title": TEXT[app.config.kubik_lang]["language"],
        }


def on_build_finished(app, exception):
    """build/docs/LANG/html/index.html: the site's front page."""
    if exception or app.builder.format != "html" or app.config.root_doc == "index":
        return
    target = html.escape(app.config.root_doc + ".html")
    (Path(app.outdir) / "index.html").write_text(
        f'<!DOCTYPE html><meta charset="utf-8"><meta http-equiv="refresh" content="0; url={target}">'
        f'<title>Kubik</title><a href="{target}">Kubik</a>\n', encoding="utf-8")


def setup(app):
    app.add_config_value("kubik_lang", "en", "env")
    app.add_config_value("kubik_with_solutions", False, "env")
    app.connect("source-read", on_source_read)
    app.connect("missing-reference", on_missing_reference)
    app.connect("html-page-context", on_html_page_context)
    app.connect("build-finished", on_build_finished)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":  # scripts/build-docs.sh asks for Doxygen's input files
    import sys
    if sys.argv[1:] == ["doxygen-inputs"]:
        print("\n".join(doxygen_inputs()))
