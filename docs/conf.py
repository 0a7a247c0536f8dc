# Sphinx configuration of Kubik's docs site, both languages.
#
# The source directory is the repository itself, so the lesson texts, the
# README and docs/*.md are the site's pages as they are (nothing is copied),
# and their relative links work on the site as in a Markdown viewer:
#
#   sphinx-build -c docs -t en . build/docs/en/html      (English)
#   sphinx-build -c docs -t ru . build/docs/ru/html      (Russian)
#
# scripts/build-docs.sh runs Doxygen first and both builds with -W. The tag
# `solutions` adds the reference solutions page (the instructor's site).
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
sys.dont_write_bytecode = True  # no __pycache__ in docs/_ext
sys.path.insert(0, str(DOCS / "_ext"))

import kubik_sphinx  # noqa: E402  (after sys.path)
import kubikdocs  # noqa: E402

lang = "ru" if tags.has("ru") else "en"  # noqa: F821  (tags is given by Sphinx)
with_solutions = tags.has("solutions")  # noqa: F821

project = "Kubik"
author = "Kubik authors"
copyright = "Kubik authors"
language = lang
release = kubik_sphinx.project_version(REPO)
version = release

extensions = ["myst_parser", "breathe", "sphinx.ext.graphviz", "kubik_sphinx"]
kubik_lang = lang
kubik_with_solutions = with_solutions

root_doc = "docs/index.ru" if lang == "ru" else "docs/index"
source_suffix = {".md": "markdown"}
include_patterns = kubik_sphinx.site_pages(REPO, lang, with_solutions)
exclude_patterns = ["build", "build-*", ".git", "exercises", "tests", "tools", "bench"]
templates_path = [str(DOCS / "_templates")]

myst_heading_anchors = 3
myst_enable_extensions = ["deflist"]
# Code blocks without a language are shell sessions and program output.
highlight_language = "none"
pygments_style = "sphinx"

# Diagrams: lessons/NN-topic/diagrams/NAME.{en,ru}.dot, drawn by Debian's
# graphviz in the style check-docs.sh draws them with (docs/authoring.md). A
# file dot can't draw is a warning, so the -W build fails.
graphviz_output_format = "svg"
graphviz_dot_args = kubikdocs.DOT_ARGS

breathe_projects = {"kubik": os.environ.get("KUBIK_DOXYGEN_XML", str(REPO / "build/docs/doxygen/xml"))}
breathe_default_project = "kubik"
breathe_domain_by_extension = {"hpp": "cpp"}
breathe_default_members = ("members",)
breathe_show_include = True

# Debian's furo: a readable text column, the contents on the left and the
# page's sections on the right (folded away below 1312 px), a dark mode.
html_theme = "furo"
html_title = "Kubik"
html_static_path = [str(DOCS / "_static")]
html_css_files = ["kubik.css"]
html_sidebars = {"**": ["sidebar/scroll-start.html", "sidebar/brand.html", "sidebar/search.html",
                        "kubik-language.html", "sidebar/navigation.html", "sidebar/scroll-end.html"]}
html_show_sourcelink = False
html_copy_source = False
