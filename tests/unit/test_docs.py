"""The documentation a newcomer follows leads somewhere: every local link resolves.

The README and docs/ link to each other, to images and to source files; a page moved or
renamed without updating its links would strand a reader, so each link is checked here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#+\s+(.*)$", re.MULTILINE)


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to dashes."""
    words = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return words.replace(" ", "-")


def _local_links(document: Path) -> list[str]:
    return [
        link
        for link in LINK.findall(document.read_text(encoding="utf-8"))
        if not re.match(r"^[a-z]+:", link)
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_local_link_reaches_a_file_and_heading(document: Path) -> None:
    broken = []
    for link in _local_links(document):
        target, _, anchor = link.partition("#")
        path = (document.parent / target).resolve() if target else document
        if not path.exists():
            broken.append(link)
        elif anchor and path.suffix == ".md":
            anchors = {_anchor(h) for h in HEADING.findall(path.read_text(encoding="utf-8"))}
            if anchor not in anchors:
                broken.append(link)
    assert not broken, f"{document.name} links to what does not exist: {broken}"


def test_the_readme_names_every_page_under_docs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    unnamed = [
        page.name for page in (ROOT / "docs").glob("*.md") if f"docs/{page.name}" not in readme
    ]
    assert not unnamed, f"pages under docs/ the README does not lead to: {unnamed}"
