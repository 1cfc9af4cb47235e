"""`vet diff`'s short cuts give what the long way gives.

Reading the second registry item by item (vetting/incremental.py) must give the
same records, ids and positions as reading it whole; vetting only the entities
an edit reaches must give the same changes as vetting all of them. Each edit of
tests/test_diff.py, and a few the short cut cannot take, is tried both ways.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from test_diff import BASE, CARDO_REMEDIATED, FORD, add_ford, move, remediate_cardo

from vetting.diff import compare
from vetting.incremental import SplicedDocument, read_like, split
from vetting.model import Law
from vetting.records import LAYOUT, Records, read_texts
from vetting.registry import checked
from vetting.revisions import Snapshot

BUNDLED = Path(__file__).parent.parent / "data"


def texts_of(folder: Path) -> dict[str, str]:
    return {name: (folder / name).read_text(encoding="utf-8") for name in LAYOUT}


CUSTOMS = ("  - id: xb-customs\n    name: Brevanian Customs Guard\n    country: XB\n"
           "    force: other\n\n")
EDITS: dict[str, tuple[Callable[[str], str], Callable[[str], str]]] = {
    "nothing": (str, str),
    "allegation added": (str, add_ford),
    "allegation added first": (str, lambda t: t.replace("allegations:\n", "allegations:\n"
                                                          + FORD.lstrip("\n") + "\n")),
    "remediation": (str, remediate_cardo),
    "parent moved": (move("xb-bn-77", "xb-zone-5"), str),
    "lines inserted above": (lambda t: t.replace("units:\n", "units:\n# a comment\n\n"), str),
    "records reordered": (lambda t: t.replace(CUSTOMS, "").replace("units:\n",
                                                                   "units:\n" + CUSTOMS), str),
    "record removed": (lambda t: t.replace(CUSTOMS, ""), str),
    "a flow mapping": (lambda t: t.replace(
        "  - id: xc-rangers\n    name: Coastal Rangers of Calvera\n    country: XC\n"
        "    force: other\n",
        "  - {id: xc-rangers, name: Coastal Rangers of Calvera,\n     country: XC, force: other}\n",
    ), str),
    "a document marker (read whole)": (lambda t: "---\n" + t, str),
    "CRLF line ends, every item changed": (lambda t: t.replace("\n", "\r\n"), str),
    "CRLF line ends, one item changed": (
        lambda t: t.replace("\n", "\r\n", 30), str),
    "a byte-order mark (read whole)": (str, lambda t: "\ufeff" + t),
    "a key with a value (read whole)": (str, lambda t: t.replace(
        "sources:\n", "extra: 1\nsources:\n")),
    "a new record with a schema error (read whole)": (str, lambda t: t + FORD.replace(
        "credibility: credible", "credibility: credibel")),
}


def positions(records: Records) -> dict[tuple[object, ...], tuple[int, int]]:
    found = {}
    for filename, sections in LAYOUT.items():
        document = records.documents[filename]
        for section in sections:
            for index, record in getattr(records, section):
                for loc in ((section, index), (section, index, "id"), (section, index, "name"),
                            (section, index, "posts", 0, "unit"), (section, index, "nope")):
                    found[filename, *loc] = document.position(loc)
                found[filename, section, index, "id", "key"] = document.position(
                    (section, index, "id"), key=True)
                assert record.id
        found[filename, "root"] = document.position(())
        for section in (*sections, "nope"):
            found[filename, section] = document.position((section,))
            found[filename, section, "key"] = document.position((section,), key=True)
    return found


@pytest.mark.parametrize("edit", list(EDITS))
def test_reading_item_by_item_gives_what_reading_whole_gives(edit: str) -> None:
    units, allegations = EDITS[edit]
    base_texts = texts_of(BASE)
    texts = {"units.yaml": units(base_texts["units.yaml"]),
             "allegations.yaml": allegations(base_texts["allegations.yaml"])}
    base, findings = read_texts(Path("old"), base_texts)
    assert findings == []
    quick, quick_findings = read_like(base, base_texts, Path("new"), texts)
    whole, whole_findings = read_texts(Path("new"), texts)
    assert [(f.path, f.line, f.col, f.code) for f in quick_findings] == \
        [(f.path, f.line, f.col, f.code) for f in whole_findings]
    for section in ("units", "people", "sources", "allegations"):
        assert getattr(quick, section) == getattr(whole, section)
        assert quick.claimed_ids[section] == whole.claimed_ids[section]
    assert quick.digest == whole.digest
    if not quick_findings:
        assert positions(quick) == positions(whole)
    spliced = isinstance(quick.documents["allegations.yaml"], SplicedDocument) or \
        isinstance(quick.documents["units.yaml"], SplicedDocument)
    assert spliced == (edit != "nothing" and "read whole" not in edit)


def test_a_file_much_changed_is_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    from vetting import incremental

    monkeypatch.setattr(incremental, "MOST_ALONE", 0)
    base_texts = texts_of(BASE)
    texts = {**base_texts, "units.yaml": base_texts["units.yaml"].replace("\n", "\r\n")}
    base, _ = read_texts(Path("old"), base_texts)
    quick, _ = read_like(base, base_texts, Path("new"), texts)
    assert not isinstance(quick.documents["units.yaml"], SplicedDocument)
    assert quick.units == read_texts(Path("new"), texts)[0].units


def test_the_bundled_registry_splits_as_it_parses() -> None:
    texts = texts_of(BUNDLED)
    records, _ = read_texts(Path("data"), texts)
    for filename in LAYOUT:
        sections = split(texts[filename])
        assert sections is not None
        assert [s.key for s in sections] == list(records.documents[filename].data)


@pytest.mark.parametrize("text", [
    "units: []\n", "---\nunits:\n  - id: a\n", "units:\n  - id: a\nunits:\n  - id: b\n",
    "  - id: a\n", "units:\n  id: a\n", "units:\n  - id: a\n - id: b\n",
])
def test_what_the_split_is_unsure_of(text: str) -> None:
    assert split(text) is None


def snapshot(label: str, texts: dict[str, str], base: Snapshot | None = None) -> Snapshot:
    if base is None:
        found, findings = read_texts(Path(label), texts)
    else:
        found, findings = read_like(base.records, base.texts, Path(label), texts)
    return Snapshot(label, checked(found, findings, label, ""), found, texts)


@pytest.mark.parametrize("edit", [
    "nothing", "allegation added", "remediation", "parent moved", "record removed",
    "both ways",
])
@pytest.mark.parametrize("law", list(Law))
def test_vetting_what_an_edit_reaches_gives_what_vetting_everyone_gives(
    edit: str, law: Law,
) -> None:
    base_texts = texts_of(BASE)
    if edit == "both ways":
        old_texts = {"units.yaml": move("xb-bn-51", "xb-zone-3")(base_texts["units.yaml"]),
                     "allegations.yaml": add_ford(base_texts["allegations.yaml"])}
        new_texts = {"units.yaml": base_texts["units.yaml"],
                     "allegations.yaml": base_texts["allegations.yaml"].replace(
                         *CARDO_REMEDIATED)}
    else:
        units, allegations = EDITS[edit]
        old_texts = base_texts
        new_texts = {"units.yaml": units(base_texts["units.yaml"]),
                     "allegations.yaml": allegations(base_texts["allegations.yaml"])}
    old = snapshot("old", old_texts)
    new = snapshot("new", new_texts, old)
    for day in (date(2019, 8, 1), date(2024, 1, 1)):
        assert compare(old, new, as_of=day, law=law) == \
            compare(old, new, as_of=day, law=law, everyone=True)
