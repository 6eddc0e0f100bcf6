"""The README is the front door and docs/ holds the rest: short, linked both ways, true.

Every relative link between README.md, CONTRIBUTING.md and docs/*.md reaches an existing
file and heading; every docs page is in the README's index; every repository path and
`make` target the documents name exists; the blocks `make adopt` strips are well formed.
"""

import re
from pathlib import Path

import pytest

from tests.support.documents import REPO_ROOT, missing_paths, unknown_make_targets

README_MAX_LINES = 250
DOCS = sorted((REPO_ROOT / "docs").glob("*.md"))
DOCUMENTS = [REPO_ROOT / "README.md", REPO_ROOT / "CONTRIBUTING.md", *DOCS]
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6}) (.+)$")
MARKER = re.compile(r"<!-- (/?)(\w+) -->")
# The blocks `make adopt` removes: about the Conduit domain, webhooks, live streams.
ADOPTION_BLOCKS = {"conduit", "webhooks", "streams"}


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _outside_code(text: str) -> list[str]:
    lines, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def _anchors(document: Path) -> set[str]:
    return {
        _slug(match.group(2))
        for line in _outside_code(document.read_text())
        if (match := HEADING.match(line))
    }


def _name(document: Path) -> str:
    return str(document.relative_to(REPO_ROOT))


def test_the_readme_is_short() -> None:
    lines = (REPO_ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= README_MAX_LINES


@pytest.mark.parametrize("document", DOCUMENTS, ids=_name)
def test_every_relative_link_reaches_a_file_and_heading(document: Path) -> None:
    broken = []
    for line in _outside_code(document.read_text()):
        for link in LINK.findall(line):
            if re.match(r"^[a-z]+:|^<", link):
                continue  # a URL
            path, _, fragment = link.partition("#")
            target = (document.parent / path).resolve() if path else document
            if not target.exists() or (
                fragment and target.suffix == ".md" and fragment not in _anchors(target)
            ):
                broken.append(link)
    assert broken == []


def test_every_docs_page_is_in_the_readme_index() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    unlisted = [_name(page) for page in DOCS if f"]({_name(page)})" not in readme]
    assert unlisted == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=_name)
def test_the_paths_and_targets_named_exist(document: Path) -> None:
    text = document.read_text()
    # A bare file name (`router.py`) is a file of each feature, not of the root.
    # A media type (`text/event-stream`) is not a path either.
    named = [path for path in missing_paths(text) if "/" in path]
    assert [path for path in named if not path.startswith(("text/", "application/"))] == []
    assert unknown_make_targets(text) == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=_name)
def test_adoption_blocks_are_balanced_and_not_nested(document: Path) -> None:
    """A block is whole lines, or a part of a paragraph (`make adopt` cuts either)."""
    open_block = None
    markers = (
        (number, match)
        for number, line in enumerate(_outside_code(document.read_text()), 1)
        for match in MARKER.finditer(re.sub(r"`[^`]*`", "", line))
    )
    for number, match in markers:
        closing, name = match.group(1) == "/", match.group(2)
        assert name in ADOPTION_BLOCKS, f"line {number}: unknown block {name}"
        if closing:
            assert open_block == name, f"line {number}: closes {name}, open is {open_block}"
            open_block = None
        else:
            assert open_block is None, f"line {number}: {name} opened inside {open_block}"
            open_block = name
    assert open_block is None, f"{open_block} is never closed"
