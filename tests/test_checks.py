"""Integrity checks (VET3xx): one broken fixture per check, pinned to code, line and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from validate_helpers import REGISTRIES, VALID, found, registry_with, validate_json

from vetting import checks
from vetting.codes import Code
from vetting.records import Records, read

# case → the findings `vet validate` reports, exactly: (file, line, col, code).
CASES: dict[str, list[tuple[str, int, int, str]]] = {
    "unknown-parent": [("units.yaml", 22, 13, "VET301")],
    "unknown-predecessor": [("units.yaml", 23, 35, "VET301")],
    "unknown-post-unit": [("units.yaml", 31, 15, "VET301")],
    "post-unit-is-person": [("units.yaml", 31, 15, "VET301")],
    "allegation-unit-is-person": [("allegations.yaml", 14, 28, "VET301")],
    "allegation-person-is-unit": [("allegations.yaml", 15, 28, "VET301")],
    "unknown-allegation-person": [("allegations.yaml", 15, 14, "VET301")],
    # The only source is then cited by nothing, which is said too.
    "unknown-evidence-source": [
        ("allegations.yaml", 3, 9, "VET352"), ("allegations.yaml", 18, 17, "VET301"),
    ],
    "parent-cycle": [("units.yaml", 8, 13, "VET302")],
    "parent-self": [("units.yaml", 22, 13, "VET302")],
    "duplicate-unit-id": [("units.yaml", 18, 9, "VET303")],
    "duplicate-unit-person-id": [("units.yaml", 27, 9, "VET303")],
    "duplicate-source-id": [("allegations.yaml", 8, 9, "VET303")],
    "duplicate-allegation-id": [("allegations.yaml", 21, 9, "VET303")],
    "unit-end-before-start": [("units.yaml", 16, 10, "VET304")],
    "post-end-before-start": [("units.yaml", 35, 14, "VET304")],
    "future-allegation-date": [("allegations.yaml", 11, 11, "VET305")],
    "future-remediation-date": [("allegations.yaml", 20, 13, "VET305")],
    "blank-name": [("units.yaml", 19, 11, "VET306")],
    "blank-alias": [("units.yaml", 11, 36, "VET306"), ("units.yaml", 11, 40, "VET306")],
    "allegation-without-subject": [("allegations.yaml", 14, 12, "VET307")],
    "shared-alias-same-country": [("units.yaml", 20, 15, "VET351")],
    "unused-source": [("allegations.yaml", 8, 9, "VET352")],
    # A unit that fails the schema is reported once: the references to it stand.
    "invalid-record-no-cascade": [("units.yaml", 13, 12, "VET204")],
    # A units file that does not parse: no allegation's reference is called unknown.
    "units-file-unparsable-no-cascade": [("units.yaml", 12, 12, "VET101")],
    # Valid: partial dates are spans, so `start: 2015-06, end: 2015` ends in December.
    "unit-end-in-start-year": [],
    "shared-alias-other-country": [],
    "valid-minimal": [],
    # Dated parent links: each link is checked like a post's span, and a cycle is one
    # only on a day all its links hold (the Harbor Guard's two links never do).
    "parents-unknown-unit": [("units.yaml", 15, 15, "VET301")],
    "parents-cycle-on-a-day": [("units.yaml", 10, 15, "VET302")],
    "parents-end-before-start": [("units.yaml", 15, 14, "VET304")],
    "parents-overlap": [("units.yaml", 22, 9, "VET353")],
    "parent-and-parents": [("units.yaml", 13, 5, "VET204")],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_integrity_case(case: str) -> None:
    status, findings = validate_json(REGISTRIES / case)
    assert found(findings) == CASES[case]
    errors = [item for item in findings if item["level"] == "error"]
    assert status == (1 if errors else 0)


def _messages(case: str) -> list[str]:
    return [item["message"] for item in validate_json(REGISTRIES / case)[1]]


@pytest.mark.parametrize(("case", "message"), [
    ("unknown-parent", "parent: unknown unit 'xa-gaurd'"),
    ("post-unit-is-person", "post unit: 'xa-orla-venn' names a person, not a unit"),
    ("allegation-unit-is-person", "unit: 'xa-orla-venn' names a person, not a unit"),
    ("allegation-person-is-unit", "person: 'xa-guard' names a unit, not a person"),
    ("unknown-evidence-source", "evidence source: unknown source 'xa-report-2'"),
    ("parent-cycle", "parent cycle: 'xa-guard' → 'xa-guard-bn-2' → 'xa-guard'"),
    ("duplicate-unit-person-id", "duplicate id 'xa-guard': already the id of the unit at line 3"),
    ("unit-end-before-start", "end 2015-02 is before start 2015-03"),
    ("parents-unknown-unit", "parents: unknown unit 'xa-gaurd-west'"),
    ("parents-cycle-on-a-day", "parent cycle on 2013: 'xa-guard' → 'xa-guard-bn-2' → 'xa-guard'"),
    ("parents-end-before-start", "end 2015-02 is before start 2015-03"),
    ("parents-overlap", "the link to 'xa-zone-2' (2016 to now) overlaps the link to "
     "'xa-zone-1' at line 19 (2012 to 2016-05)"),
    ("parent-and-parents", "a unit has either `parent` (undated) or `parents` (dated links), "
     "not both; write the undated parent as a link in `parents`"),
    ("future-allegation-date", "date 2999-01 is in the future"),
    ("future-remediation-date", "remediation date 2999 is in the future"),
    ("shared-alias-same-country",
     "'1/O.  batallon farol' is also a name of unit 'xa-guard-bn-1' (line 9) in XA"),
])
def test_messages_name_what_is_wrong(case: str, message: str) -> None:
    assert message in _messages(case)


def _records(folder: Path) -> Records:
    records, findings = read(folder)
    assert findings == []
    return records


def test_future_date_is_judged_against_the_given_day() -> None:
    records = _records(VALID)  # its allegation is dated 2012-05-04
    before = checks.run(records, today=date(2012, 5, 3))
    assert [(finding.code, finding.line) for finding in before] == [(Code.FUTURE_DATE, 11)]
    assert checks.run(records, today=date(2012, 5, 4)) == []


def test_a_partial_date_is_future_only_when_all_of_it_is() -> None:
    records = _records(REGISTRIES / "future-allegation-date")  # dated 2999-01
    assert checks.run(records, today=date(2999, 1, 1)) == []
    assert [f.code for f in checks.run(records, today=date(2998, 12, 31))] == [Code.FUTURE_DATE]


def _units_yaml(units: list[str]) -> str:
    return "units:\n" + "".join(units) + "people: []\n"


def _unit(unit_id: str, parent: str | None = None, name: str | None = None) -> str:
    text = f"  - id: {unit_id}\n    name: {name or unit_id.title()}\n    country: XA\n"
    text += "    force: army\n"
    return text + (f"    parent: {parent}\n" if parent else "")


def test_each_cycle_is_reported_once_however_many_units_lead_into_it(tmp_path: Path) -> None:
    units = [_unit("xa-a", "xa-b"), _unit("xa-b", "xa-c"), _unit("xa-c", "xa-a")]
    units += [_unit(f"xa-tail-{n}", "xa-a") for n in range(5)]  # point into the cycle
    units += [_unit("xa-d", "xa-e"), _unit("xa-e", "xa-d")]  # a second cycle
    folder = registry_with(tmp_path / "reg", units=_units_yaml(units),
                           allegations="sources: []\nallegations: []\n")
    status, findings = validate_json(folder)
    assert status == 1
    assert [(item["code"], item["line"]) for item in findings] == [
        ("VET302", 6), ("VET302", 46),
    ]
    assert findings[1]["message"] == "parent cycle: 'xa-d' → 'xa-e' → 'xa-d'"


def test_a_long_cycle_message_stays_short(tmp_path: Path) -> None:
    count = 500
    units = [_unit(f"xa-u{n}", f"xa-u{(n + 1) % count}") for n in range(count)]
    folder = registry_with(tmp_path / "reg", units=_units_yaml(units),
                           allegations="sources: []\nallegations: []\n")
    _, findings = validate_json(folder)
    assert len(findings) == 1
    assert findings[0]["message"].endswith("… (500 units)")
    assert len(findings[0]["message"]) < 200


def _ring_by_year(count: int) -> str:
    """`count` units, each below the next in a ring, each link in a year of its own."""
    return _units_yaml([
        f"  - id: xa-u{n}\n    name: Unit {n}\n    country: XA\n    force: army\n"
        f"    parents: [{{unit: xa-u{(n + 1) % count}, start: {1900 + n}, end: {1900 + n}}}]\n"
        for n in range(count)
    ])


def test_links_that_lead_back_only_across_years_are_no_cycle(tmp_path: Path) -> None:
    folder = registry_with(tmp_path / "reg", units=_ring_by_year(50),
                           allegations="sources: []\nallegations: []\n")
    assert validate_json(folder) == (0, [])


def test_a_loop_of_dated_links_too_long_to_check_each_day_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(checks, "_CYCLE_WORK", 500)
    folder = registry_with(tmp_path / "reg", units=_ring_by_year(50),
                           allegations="sources: []\nallegations: []\n")
    status, findings = validate_json(folder)
    assert status == 1
    assert [(item["code"], item["line"]) for item in findings] == [("VET302", 6)]
    assert findings[0]["message"] == (
        "the parent links of 50 units around 'xa-u0' lead back to each other, with links "
        "starting on 50 dates: too many to check each day; break the loop"
    )


def test_ids_are_unique_within_their_space_only(tmp_path: Path) -> None:
    # Units and people share one id space, sources and allegations each their own:
    # a source, an allegation and a unit may carry the same id.
    allegations = (REGISTRIES / "valid-minimal" / "allegations.yaml").read_text()
    allegations = allegations.replace("id: xa-report-1", "id: xa-guard").replace(
        "source: xa-report-1", "source: xa-guard").replace("id: xa-2012-ferry", "id: xa-guard")
    folder = registry_with(tmp_path / "reg", allegations=allegations)
    assert validate_json(folder) == (0, [])


def test_a_duplicate_of_a_record_that_failed_the_schema_is_still_a_duplicate(
    tmp_path: Path,
) -> None:
    units = (VALID / "units.yaml").read_text().replace(
        "  - id: xa-guard-bn-2\n    name: 2nd Lantern Battalion\n",
        "  - id: xa-guard-bn-1\n    name: 2nd Lantern Battalion\n",
    ).replace("    force: national_guard\n    parent: xa-guard\n    start: 2001-03",
              "    force: militia\n    parent: xa-guard\n    start: 2001-03")
    folder = registry_with(tmp_path / "reg", units=units)
    _, findings = validate_json(folder)
    assert ("units.yaml", 18, 9, "VET303") in found(findings)


@pytest.mark.parametrize(("first", "second", "shared"), [
    ("Lantern Guard", "LANTERN  guard", True),
    ("Policía Estatal", "Policia Estatal", True),  # accents are folded: queries fold them
    ("Guardia Farol", "Guardia\u00a0Farol", True),  # a no-break space is a space
    ("Lantern Guard", "Lantern Guards", False),
    ("1/o. Batallón", "1 Batallón", False),  # punctuation and ordinal marks are kept
])
def test_shared_names_fold_case_accents_and_spaces(first: str, second: str, shared: bool) -> None:
    assert (checks.name_key(first) == checks.name_key(second)) is shared


def test_a_unit_repeating_its_own_name_as_an_alias_is_not_a_shared_name(tmp_path: Path) -> None:
    units = (VALID / "units.yaml").read_text().replace(
        "aliases: [Guardia Farol]", "aliases: [Guardia Farol, lantern guard, GUARDIA FAROL]"
    )
    assert validate_json(registry_with(tmp_path / "reg", units=units)) == (0, [])


def test_validation_combines_registries_in_path_order() -> None:
    first = checks.validate(REGISTRIES / "unknown-parent")
    second = checks.validate(REGISTRIES / "allegation-person-is-unit")
    combined = checks.Validation.combine([first, second])
    assert combined.errors == 2
    assert combined.counts["units"] == first.counts["units"] + second.counts["units"]
    assert [Path(finding.path).parent.name for finding in combined.findings] == [
        "allegation-person-is-unit", "unknown-parent",
    ]
    assert not combined.ok
