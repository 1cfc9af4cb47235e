"""The documentation against the code: every code documented, the codes table
true to the enum, every docs page reachable from a README that stays short."""

from __future__ import annotations

import re
from pathlib import Path

from vetting.codes import Code

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def _docs_text() -> str:
    return "\n".join(page.read_text(encoding="utf-8") for page in sorted(DOCS.glob("*.md")))


def test_every_code_is_documented() -> None:
    text = _docs_text()
    missing = [code.code for code in Code if code.code not in text]
    assert missing == []


def test_the_table_of_finding_codes_matches_the_codes() -> None:
    page = (DOCS / "validate.md").read_text(encoding="utf-8")
    rows = {
        match.group(1): (match.group(2), match.group(3))
        for match in re.finditer(r"^\| `(VET[1-3]\d\d)` \| `([a-z-]+)` \| (error|warning) \|",
                                 page, re.MULTILINE)
    }
    expected = {code.code: (code.slug, str(code.level)) for code in Code
                if code.code[3] in "123"}
    assert rows == expected


def test_every_docs_page_is_linked_from_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    linked = set(re.findall(r"\(docs/([\w-]+\.md)\)", readme))
    assert linked == {page.name for page in DOCS.glob("*.md")}


def test_every_relative_link_in_the_docs_leads_to_a_file() -> None:
    broken = []
    for page in [README, *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert broken == []


def test_the_readme_reads_in_five_minutes() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 150
