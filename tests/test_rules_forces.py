"""Verdicts for what real rosters ask: whole forces, the unit's commander, units that move.

Three fictional registries (tests/fixtures/registries/): `contains-barred` (a whole
force above barred battalions), `current-commander` (units vetted with whoever
commands them) and `dated-parents` (battalions that move between zones). Every name
and event in them is invented.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result
from verdict_helpers import REGISTRIES, FixedMatcher, assert_golden, candidate, plain_80

from vetting.cli import app
from vetting.codes import Code
from vetting.matching import Band
from vetting.model import Law, PartialDate
from vetting.registry import Registry, open_registry
from vetting.rules import CONTAINS_SHOWN, Answer, Engine, Query, Verdict, vet_query

AS_OF = date(2022, 6, 1)


def engine(registry: Registry, as_of: date = AS_OF, law: Law = Law.STATE) -> Engine:
    return Engine(registry, as_of=as_of, law=law)


def ask(
    registry: Registry, unit_id: str, as_of: date = AS_OF, law: Law = Law.STATE,
    band: Band = Band.MATCH,
) -> Answer:
    """`vet unit NAME` where NAME is the unit's name, found in `band`."""
    matcher = FixedMatcher([candidate(registry, unit_id, band, 100 if band == "match" else 85)])
    name = registry.units[unit_id].name
    return vet_query(registry, matcher, Query("unit", name),  # type: ignore[arg-type]
                     as_of=as_of, law=law)


def inside(answer: Answer) -> list[tuple[str, str]]:
    """The barred units the answer's contains-barred reason lists: (id, verdict)."""
    (reason,) = [r for r in answer.reasons if r.rule is Code.CONTAINS_BARRED]
    return [(unit.id, str(unit.verdict)) for unit in reason.inside]


def rules_of(answer_or_reasons: object) -> list[tuple[str, str, str | None]]:
    reasons = getattr(answer_or_reasons, "reasons", answer_or_reasons)
    return [(r.rule.slug, str(r.verdict), r.allegation) for r in reasons]  # type: ignore[attr-defined]


# --- contains-barred ---------------------------------------------------------------


@pytest.fixture(scope="module")
def forces() -> Registry:
    return open_registry(REGISTRIES / "contains-barred")


def test_a_whole_force_three_levels_above_a_barred_battalion_is_review(
    forces: Registry,
) -> None:
    found = ask(forces, "xc-army")
    assert found.verdict is Verdict.REVIEW
    # The 91st (barred) and the 94th (suspended); not the 92nd (lifted under State law),
    # the 93rd (allegation after as-of), the 95th (REVIEW only), the 96th (disbanded) or
    # the company below the 91st (REVIEW only).
    assert inside(found) == [("xc-bn-91", "INELIGIBLE"), ("xc-bn-94", "SUSPENDED")]
    (reason,) = found.reasons
    assert reason.rule is Code.CONTAINS_BARRED and reason.entity == "xc-army"
    assert "91st Infantry Battalion (xc-bn-91), INELIGIBLE (direct, allegation " \
        "xc-2015-bn-91-killings)" in reason.text
    assert found.matches[0].verdict is Verdict.REVIEW
    assert not found.duty_to_inform


def test_each_level_between_is_judged_by_what_is_inside_it(forces: Registry) -> None:
    assert inside(ask(forces, "xc-corps-2")) == inside(ask(forces, "xc-zone-9"))
    assert ask(forces, "xc-bn-91").verdict is Verdict.INELIGIBLE  # its own bar
    # The company below the 91st holds nothing: REVIEW by its own rule, subunit.
    assert rules_of(ask(forces, "xc-co-911")) == [
        ("subunit", "REVIEW", "xc-2015-bn-91-killings")
    ]


def test_it_cites_the_sources_of_the_barred_units_inside(forces: Registry) -> None:
    found = ask(forces, "xc-army")
    assert [source.id for source in found.sources] == ["norvia-tribune-2021"]
    assert found.citations == ((1,),)
    (reason,) = found.to_dict()["reasons"]
    assert reason["rule"] == "contains-barred" and reason["code"] == "VET508"
    assert reason["barred_units"] == [
        {"id": "xc-bn-91", "name": "91st Infantry Battalion", "verdict": "INELIGIBLE",
         "rule": "direct", "code": "VET501", "allegation": "xc-2015-bn-91-killings",
         "sources": [1]},
        {"id": "xc-bn-94", "name": "94th Infantry Battalion", "verdict": "SUSPENDED",
         "rule": "direct", "code": "VET501", "allegation": "xc-2020-bn-94-disappearance",
         "sources": [1]},
    ]


def test_a_bar_lifted_under_state_law_counts_under_dod_law(forces: Registry) -> None:
    dod = ask(forces, "xc-army", law=Law.DOD)
    assert inside(dod) == [
        ("xc-bn-91", "INELIGIBLE"), ("xc-bn-92", "INELIGIBLE"), ("xc-bn-94", "SUSPENDED"),
    ]


def test_the_table_names_the_barred_units_and_cites_their_sources(forces: Registry) -> None:
    text = plain_80(ask(forces, "xc-army"))
    assert_golden("vet-unit-norvian-army.txt", text)
    assert "│   REVIEW  VET508 contains-barred  [1]" in text


def test_under_state_law_the_reason_says_what_2378d_c_asks(forces: Registry) -> None:
    (state,) = ask(forces, "xc-army").reasons
    assert "22 U.S.C. 2378d(c)" in state.text
    assert "list of units prohibited" in state.text and "written agreement" in state.text
    (dod,) = ask(forces, "xc-army", law=Law.DOD).reasons
    assert "2378d(c)" not in dod.text


def test_a_barred_unit_inside_counts_from_its_allegations_date(forces: Registry) -> None:
    assert ("xc-bn-93", "INELIGIBLE") not in inside(ask(forces, "xc-army"))
    assert ("xc-bn-93", "INELIGIBLE") in inside(ask(forces, "xc-army", as_of=date(2023, 3, 1)))


def test_a_disbanded_barred_unit_is_inside_nothing(forces: Registry) -> None:
    assert ("xc-bn-96", "INELIGIBLE") in inside(ask(forces, "xc-army", as_of=date(2017, 1, 1)))
    assert ("xc-bn-96", "INELIGIBLE") not in inside(ask(forces, "xc-army"))


def test_a_force_with_nothing_barred_inside_stays_eligible(forces: Registry) -> None:
    found = ask(forces, "xc-navy")
    assert (found.verdict, rules_of(found)) == (
        Verdict.ELIGIBLE, [("clear-record", "ELIGIBLE", None)]
    )
    # Nothing was barred before 2014 either.
    assert ask(forces, "xc-army", as_of=date(2013, 12, 31)).verdict is Verdict.ELIGIBLE


def test_it_is_about_the_query_and_passes_to_no_one(forces: Registry) -> None:
    verdicts = engine(forces)
    for unit_id in ("xc-army", "xc-corps-2", "xc-zone-9", "xc-zone-9-hq", "xc-zone-10"):
        assert verdicts.unit(unit_id).verdict is Verdict.ELIGIBLE, unit_id
    assert verdicts.person("xc-edda-lorne").verdict is Verdict.ELIGIBLE  # serves in the zone
    # A person vetted with the zone as their unit is not barred by what the zone holds.
    matcher = FixedMatcher([candidate(forces, "xc-edda-lorne", Band.MATCH, 100),
                            candidate(forces, "xc-zone-9", Band.MATCH, 100)])
    found = vet_query(forces, matcher,  # type: ignore[arg-type]
                      Query("person", "Edda Lorne", unit="9th Military Zone"),
                      as_of=AS_OF, law=Law.STATE)
    assert found.verdict is Verdict.ELIGIBLE


def test_a_possible_match_for_a_force_holding_barred_units_is_review(
    forces: Registry,
) -> None:
    found = ask(forces, "xc-army", band=Band.POSSIBLE)
    assert found.verdict is Verdict.REVIEW
    (reason,) = found.reasons
    assert reason.rule is Code.POSSIBLE_MATCH
    assert "it holds 91st Infantry Battalion (xc-bn-91), INELIGIBLE, and 1 more" in reason.text
    assert [source.id for source in found.sources] == ["norvia-tribune-2021"]


@pytest.mark.parametrize(("name", "verdict", "status"), [
    ("Norvian Army Band", "REVIEW", 3),  # a name the army does not say of itself
    ("Norvian Army 2540", "REVIEW", 3),  # a number: an office code, a post
    ("Norvian Navy Band", "ELIGIBLE", 0),  # nothing barred inside the navy
])
def test_a_force_written_with_more_names_a_unit_inside_it(
    name: str, verdict: str, status: int,
) -> None:
    # Not the force itself, and not a unit the registry holds: a unit inside the force,
    # which may be, or hold, one of the barred units the force holds.
    result = CliRunner(env={"VET_DATA": None}).invoke(app, [
        "unit", name, "--as-of", AS_OF.isoformat(), "-f", "json",
        "--data", str(REGISTRIES / "contains-barred"),
    ])
    assert result.exit_code == status
    found = json.loads(result.stdout)
    assert found["verdict"] == verdict
    assert [match["band"] for match in found["matches"]][:1] == ["inside"]
    assert found["reasons"][0]["code"] == "VET510"
    if verdict == "REVIEW":
        assert "holds 91st Infantry Battalion (xc-bn-91), INELIGIBLE" in (
            found["reasons"][0]["text"])
        assert [source["id"] for source in found["sources"]] == ["norvia-tribune-2021"]


def test_the_text_names_the_first_few_and_counts_the_rest(tmp_path: Path) -> None:
    battalions = CONTAINS_SHOWN + 3
    units = ["units:", "  - {id: xc-army, name: Norvian Army, country: XC, force: army}"]
    allegations = [
        "sources:", "  - {id: xc-paper, title: Killings, publisher: Norvia Tribune}",
        "allegations:",
    ]
    for n in range(1, battalions + 1):
        units.append(f"  - {{id: xc-bn-{n}, name: Battalion {n:02d}, country: XC, "
                     "force: army, parent: xc-army}")
        allegations.append(
            f"  - {{id: xc-2015-bn-{n}, summary: Killings., date: '2015', country: XC, "
            f"violations: [extrajudicial_killing], units: [xc-bn-{n}], "
            "credibility: credible, evidence: [{source: xc-paper}]}"
        )
    (tmp_path / "units.yaml").write_text("\n".join(units) + "\n", encoding="utf-8")
    (tmp_path / "allegations.yaml").write_text("\n".join(allegations) + "\n", encoding="utf-8")
    registry = open_registry(tmp_path)
    found = ask(registry, "xc-army")
    (reason,) = found.reasons
    assert f"has {battalions} units below it that are barred" in reason.text
    assert "Battalion 05 (xc-bn-5)" in reason.text and "Battalion 06" not in reason.text
    assert reason.text.count("INELIGIBLE") == CONTAINS_SHOWN
    assert "; and 3 more." in reason.text
    assert len(found.to_dict()["reasons"][0]["barred_units"]) == battalions


# --- current-commander -------------------------------------------------------------


@pytest.fixture(scope="module")
def commanders() -> Registry:
    return open_registry(REGISTRIES / "current-commander")


def test_a_unit_whose_current_commander_is_barred_is_ineligible(commanders: Registry) -> None:
    found = engine(commanders).unit("xc-blue")
    assert rules_of(found.reasons) == [
        ("current-commander", "INELIGIBLE", "xc-2012-red-killings")
    ]
    assert "Arvid Stenmark (xc-arvid-stenmark), who commands Blue Battalion on 2022-06-01" \
        in found.reasons[0].text
    answer = ask(commanders, "xc-blue")
    assert [source.id for source in answer.sources] == ["norvia-tribune-2021"]
    assert answer.duty_to_inform


def test_a_commander_under_investigation_suspends_the_unit(commanders: Registry) -> None:
    found = engine(commanders).unit("xc-green")
    assert rules_of(found.reasons) == [
        ("current-commander", "SUSPENDED", "xc-2018-moravec-torture")
    ]


def test_a_command_that_ended_leaves_the_unit_as_it_was(commanders: Registry) -> None:
    # Vass commanded the Grey Battalion until 2021-12; his 2015 killing was elsewhere.
    assert engine(commanders).unit("xc-grey").verdict is Verdict.ELIGIBLE
    assert engine(commanders, as_of=date(2021, 6, 1)).unit("xc-grey").verdict is (
        Verdict.INELIGIBLE
    )


def test_a_commander_who_takes_command_after_as_of_does_not_count_yet(
    commanders: Registry,
) -> None:
    assert engine(commanders).unit("xc-white").verdict is Verdict.ELIGIBLE
    assert engine(commanders, as_of=date(2023, 1, 1)).unit("xc-white").verdict is (
        Verdict.INELIGIBLE
    )


def test_only_the_commanders_own_allegations_count_no_loop(commanders: Registry) -> None:
    verdicts = engine(commanders)
    # Stenmark's own verdict: the allegation naming him, once (serving in Blue brings the
    # same allegation back, and it is not counted twice).
    stenmark = verdicts.person("xc-arvid-stenmark")
    assert rules_of(stenmark.reasons) == [("direct", "INELIGIBLE", "xc-2012-red-killings")]
    # The Red Battalion has no commander today: its bars are its own (member at the time).
    assert rules_of(verdicts.unit("xc-red").reasons) == [
        ("member-at-the-time", "INELIGIBLE", "xc-2015-vass-killing"),
        ("member-at-the-time", "INELIGIBLE", "xc-2012-red-killings"),
    ]
    # Ekberg is barred only as a serving member of the Black Battalion he commands: that
    # does not come back to the battalion as a commander's bar.
    assert rules_of(verdicts.person("xc-mats-ekberg").reasons) == [
        ("serving-member", "INELIGIBLE", "xc-2019-black-killing")
    ]
    assert rules_of(verdicts.unit("xc-black").reasons) == [
        ("direct", "INELIGIBLE", "xc-2019-black-killing")
    ]


def test_a_unit_barred_through_its_commander_bars_its_members_and_counts_inside(
    commanders: Registry,
) -> None:
    assert rules_of(engine(commanders).person("xc-runa-dahl").reasons) == [
        ("serving-member", "INELIGIBLE", "xc-2012-red-killings")
    ]
    assert inside(ask(commanders, "xc-lakeside")) == [
        ("xc-blue", "INELIGIBLE"), ("xc-green", "SUSPENDED"),
    ]


# --- dated parent links ------------------------------------------------------------


@pytest.fixture(scope="module")
def moves() -> Registry:
    return open_registry(REGISTRIES / "dated-parents")


def test_a_battalion_that_moved_in_after_the_commanders_abuse_is_not_barred(
    moves: Registry,
) -> None:
    verdicts = engine(moves)
    assert verdicts.unit("xc-zone-3").verdict is Verdict.INELIGIBLE  # commanded by Hale
    assert verdicts.unit("xc-bn-31").verdict is Verdict.ELIGIBLE


def test_a_battalion_that_moved_out_since_is_still_barred(moves: Registry) -> None:
    found = engine(moves).unit("xc-bn-32")
    assert rules_of(found.reasons) == [("command", "INELIGIBLE", "xc-2013-zone-3-killings")]
    assert "32nd Battalion was below it then" in found.reasons[0].text


def test_a_company_that_joined_a_barred_battalion_after_the_abuse(moves: Registry) -> None:
    verdicts = engine(moves)
    assert verdicts.unit("xc-co-331").verdict is Verdict.ELIGIBLE
    assert rules_of(verdicts.unit("xc-co-332").reasons) == [
        ("subunit", "REVIEW", "xc-2014-bn-33-torture")
    ]


def test_what_a_zone_holds_is_read_on_the_as_of_date(moves: Registry) -> None:
    # Today the moved-out 32nd is in the 4th zone, with the 33rd.
    assert inside(ask(moves, "xc-zone-4")) == [
        ("xc-bn-32", "INELIGIBLE"), ("xc-bn-33", "INELIGIBLE"),
    ]
    # In 2015 the 32nd was still in the 3rd zone (itself barred, and holding it).
    assert inside(ask(moves, "xc-zone-3", as_of=date(2015, 6, 1))) == [
        ("xc-bn-32", "INELIGIBLE")
    ]
    assert inside(ask(moves, "xc-zone-4", as_of=date(2015, 6, 1))) == [
        ("xc-bn-33", "INELIGIBLE")
    ]
    assert not [r for r in ask(moves, "xc-zone-3").reasons if r.rule is Code.CONTAINS_BARRED]


def test_the_tree_is_walked_as_it_stood_on_a_day(moves: Registry) -> None:
    def on(day: str) -> list[str]:
        when = PartialDate.parse(day)
        return moves.ancestors("xc-bn-32", when, when)

    assert on("2013-05") == ["xc-zone-3", "xc-army"]
    assert on("2017") == ["xc-zone-4", "xc-army"]
    assert on("2016") == ["xc-zone-3", "xc-zone-4", "xc-army"]  # both, that year
    assert moves.ancestors("xc-bn-32") == ["xc-zone-3", "xc-zone-4", "xc-army"]
    assert moves.children["xc-zone-3"] == ("xc-bn-31", "xc-bn-32")


# --- vet show ----------------------------------------------------------------------


def show(registry: str, *args: str) -> Result:
    return CliRunner().invoke(
        app, ["show", *args, "--data", str(REGISTRIES / registry)], env={"VET_DATA": None}
    )


def test_show_lists_the_barred_units_below_a_unit_on_the_as_of_date() -> None:
    result = show("dated-parents", "xc-zone-4", "--as-of", "2022-06-01", "-f", "json")
    assert result.exit_code == 0
    found = json.loads(result.stdout)
    assert (found["as_of"], found["law"]) == ("2022-06-01", "state")
    assert [(u["id"], u["verdict"], u["rule"]) for u in found["barred_units"]] == [
        ("xc-bn-32", "INELIGIBLE", "command"), ("xc-bn-33", "INELIGIBLE", "direct"),
    ]
    early = json.loads(show("dated-parents", "xc-zone-4", "--as-of", "2015-06-01").stdout)
    assert [u["id"] for u in early["barred_units"]] == ["xc-bn-33"]
    table = show("contains-barred", "xc-army", "--as-of", "2022-06-01", "--law", "dod",
                 "-f", "table").stdout
    assert "Barred units below it on 2022-06-01 under DoD law" in table
    assert "92nd Infantry Battalion (xc-bn-92): INELIGIBLE (direct, allegation" in table


def test_show_gives_a_units_parent_link_history() -> None:
    result = show("dated-parents", "xc-bn-32", "--as-of", "2022-06-01", "-f", "table")
    assert result.exit_code == 0
    lines = [line.strip("│ ") for line in result.stdout.splitlines()]
    start = lines.index("Parents (nearest first)")
    assert lines[start + 1:start + 3] == [
        "4th Military Zone (xc-zone-4)", "Norvian Army (xc-army)",
    ]
    start = lines.index("Parent links")
    assert lines[start + 1:start + 3] == [
        "3rd Military Zone (xc-zone-3), 2010 to 2016-05",
        "4th Military Zone (xc-zone-4), 2016-06 to now",
    ]
    found = json.loads(show("dated-parents", "xc-bn-32", "--as-of", "2014-01-01").stdout)
    assert [u["id"] for u in found["parents"]] == ["xc-zone-3", "xc-army"]
    assert found["parent_links"][0] == {
        "id": "xc-zone-3", "name": "3rd Military Zone", "start": "2010", "end": "2016-05",
    }


def _every_barred_inside(registry: Registry, as_of: date, law: Law) -> dict[str, set[str]]:
    """What contains-barred must find, by brute force: every unit judged, walked up."""
    verdicts = Engine(registry, as_of=as_of, law=law)
    today = PartialDate.from_date(as_of)
    found: dict[str, set[str]] = {}
    for unit_id, unit in registry.units.items():
        exists = (unit.start is None or unit.start.first <= as_of) and (
            unit.end is None or unit.end.last >= as_of)
        if exists and verdicts.unit(unit_id).verdict.bars:
            for above in registry.ancestors(unit_id, today, today):
                found.setdefault(above, set()).add(unit_id)
    return found


@pytest.mark.parametrize("case", [
    "verdicts", "contains-barred", "current-commander", "dated-parents", "commanded-chain",
])
def test_what_each_unit_holds_is_what_judging_every_unit_finds(
    case: str, tmp_path: Path,
) -> None:
    if case == "commanded-chain":
        # A zone commanded by a barred general; below it a battalion named only in a
        # REVIEW allegation, and below that a company the command rule bars.
        (tmp_path / "units.yaml").write_text(
            "units:\n"
            "  - {id: xc-army, name: Army, country: XC, force: army}\n"
            "  - {id: xc-zone, name: Zone, country: XC, force: army, parent: xc-army}\n"
            "  - {id: xc-bn, name: Battalion, country: XC, force: army, parent: xc-zone}\n"
            "  - {id: xc-co, name: Company, country: XC, force: army, parent: xc-bn}\n"
            "people:\n"
            "  - {id: xc-gen, name: General, country: XC,"
            " posts: [{unit: xc-zone, role: commander, start: '2010', end: '2012'}]}\n",
            encoding="utf-8",
        )
        (tmp_path / "allegations.yaml").write_text(
            "sources:\n  - {id: xc-paper, title: Report, publisher: Tribune}\n"
            "allegations:\n"
            "  - {id: xc-2011-kill, summary: Killings., date: '2011', country: XC,"
            " violations: [extrajudicial_killing], people: [xc-gen], credibility: credible,"
            " evidence: [{source: xc-paper}]}\n"
            "  - {id: xc-2015-bn, summary: Detention., date: '2015', country: XC,"
            " violations: [prolonged_detention_without_charges], units: [xc-bn],"
            " credibility: credible, evidence: [{source: xc-paper}]}\n",
            encoding="utf-8",
        )
        registry = open_registry(tmp_path)
    else:
        registry = open_registry(REGISTRIES / case)
    for as_of in (date(2012, 6, 1), date(2016, 3, 1), date(2020, 6, 1), date(2024, 6, 1)):
        for law in Law:
            verdicts = Engine(registry, as_of=as_of, law=law)
            held = {
                unit_id: {found.id for found in verdicts.barred_inside(unit_id)}
                for unit_id in registry.units
            }
            expected = _every_barred_inside(registry, as_of, law)
            assert {k: v for k, v in held.items() if v} == expected, (as_of, law)
    if case == "commanded-chain":
        assert expected == {"xc-army": {"xc-zone", "xc-bn", "xc-co"},
                            "xc-zone": {"xc-bn", "xc-co"}, "xc-bn": {"xc-co"}}


@pytest.mark.parametrize(("country", "verdict", "status"), [
    ((), "REVIEW", 3),  # which country's? The barred one may be meant
    (("--country", "XA"), "ELIGIBLE", 0),  # said: the other country's is no candidate
    (("--country", "XB"), "REVIEW", 3),  # its name says more: a possible match
])
def test_a_match_in_one_country_does_not_hide_a_barred_unit_of_another(
    country: tuple[str, ...], verdict: str, status: int,
) -> None:
    result = CliRunner(env={"VET_DATA": None}).invoke(app, [
        "unit", "21st Infantry Battalion", "-f", "json", *country,
        "--data", str(REGISTRIES / "same-number-two-countries"),
    ])
    assert (result.exit_code, json.loads(result.stdout)["verdict"]) == (status, verdict)
    if not country:
        reasons = json.loads(result.stdout)["reasons"]
        assert ("VET531", "xb-bn-21") in [(r["code"], r["entity"]) for r in reasons]
