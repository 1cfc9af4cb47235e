"""The verdict engine on a fictional registry: each rule, the law switch, as-of, matching bands.

The registry (tests/fixtures/registries/verdicts/) is invented: each unit and
person there shows one rule. Matching is replaced by a fixed list of candidates
where the test is about what a band does to the verdict, not about matching.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from verdict_helpers import VERDICTS, FixedMatcher, candidate

from vetting.codes import Code
from vetting.matching import Band, Candidate, Matcher
from vetting.model import Law, PartialDate, Post, Role
from vetting.registry import Registry, open_registry
from vetting.rules import (
    Answer,
    Engine,
    Query,
    Reason,
    Verdict,
    a_year_after,
    vet_queries,
    vet_query,
    worst,
)

AS_OF = date(2020, 6, 1)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return open_registry(VERDICTS)


def engine(registry: Registry, as_of: date = AS_OF, law: Law = Law.STATE) -> Engine:
    return Engine(registry, as_of=as_of, law=law)


def rules_of(reasons: Sequence[Reason]) -> list[tuple[str, str, str | None]]:
    return [(reason.rule.slug, str(reason.verdict), reason.allegation) for reason in reasons]


# --- verdict order ---------------------------------------------------------------


def test_worst_verdict_wins_in_the_documented_order() -> None:
    assert worst([]) is Verdict.ELIGIBLE
    assert worst([Verdict.REVIEW, Verdict.ELIGIBLE]) is Verdict.REVIEW
    assert worst([Verdict.REVIEW, Verdict.SUSPENDED]) is Verdict.SUSPENDED
    assert worst([Verdict.SUSPENDED, Verdict.INELIGIBLE, Verdict.REVIEW]) is Verdict.INELIGIBLE


# --- effects -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit_id", "verdict", "rule"),
    [
        ("xa-pol-riot", Verdict.INELIGIBLE, "direct"),  # GVHR, credible
        ("xa-border", Verdict.SUSPENDED, "direct"),  # GVHR, under investigation
        ("xa-prison", Verdict.REVIEW, "direct"),  # possible GVHR, credible
        ("xa-customs", Verdict.ELIGIBLE, "not-gvhr"),  # corruption: a note only
        ("xa-mountain", Verdict.ELIGIBLE, "not-credible"),  # GVHR judged not credible
    ],
)
def test_an_allegations_effect_on_the_unit_it_names(
    registry: Registry, unit_id: str, verdict: Verdict, rule: str
) -> None:
    found = engine(registry).unit(unit_id)
    assert found.verdict is verdict
    assert [reason.rule.slug for reason in found.reasons] == [rule]


def test_a_note_names_the_allegation_and_says_it_never_bars(registry: Registry) -> None:
    found = engine(registry).person("xa-halvard-brune")
    assert found.verdict is Verdict.ELIGIBLE
    (note,) = found.reasons
    assert note.rule is Code.NOT_GVHR
    assert note.allegation == "xa-2016-customs-bribes"
    assert "corruption" in note.text and "never bars" in note.text


# --- reach rules -------------------------------------------------------------------


def test_direct_reaches_the_person_named(registry: Registry) -> None:
    found = engine(registry).person("xa-tobin-elvar")
    assert rules_of(found.reasons) == [("direct", "INELIGIBLE", "xa-2013-harbor-torture")]


def test_member_at_the_time_reaches_the_unit_the_person_served_in_then(
    registry: Registry,
) -> None:
    found = engine(registry).unit("xa-harbor")
    assert rules_of(found.reasons) == [
        ("member-at-the-time", "INELIGIBLE", "xa-2013-harbor-torture")
    ]
    assert "Tobin Elvar" in found.reasons[0].text


def test_a_post_outside_the_allegations_date_does_not_carry_it(registry: Registry) -> None:
    # Elvar moved to the river patrol in 2014-03; the torture was in 2013-08.
    assert engine(registry).unit("xa-river").verdict is Verdict.ELIGIBLE


def test_command_bars_the_commanded_zone_and_each_level_below(registry: Registry) -> None:
    verdicts = engine(registry)
    for unit_id in ("xa-zone-7", "xa-bde-31", "xa-bn-311"):
        found = verdicts.unit(unit_id)
        assert rules_of(found.reasons) == [
            ("command", "INELIGIBLE", "xa-2011-zone-7-killings")
        ], unit_id
        assert "Corvin Malstrand" in found.reasons[0].text


def test_command_passes_by_a_unit_formed_after_the_allegation(registry: Registry) -> None:
    assert engine(registry).unit("xa-bn-312").verdict is Verdict.ELIGIBLE


def test_a_bar_never_climbs(registry: Registry) -> None:
    verdicts = engine(registry)
    assert verdicts.unit("xa-army").verdict is Verdict.ELIGIBLE  # above the barred zone
    assert verdicts.unit("xa-police").verdict is Verdict.ELIGIBLE  # above the riot division


def test_a_subunit_of_a_barred_unit_gets_review(registry: Registry) -> None:
    found = engine(registry).unit("xa-pol-riot-k9")
    assert rules_of(found.reasons) == [("subunit", "REVIEW", "xa-2016-riot-division")]


def test_a_subunit_of_a_suspended_unit_gets_review(registry: Registry) -> None:
    found = engine(registry).unit("xa-border-checkpoint")
    assert rules_of(found.reasons) == [
        ("subunit", "REVIEW", "xa-2018-border-disappearances")
    ]


def test_a_successor_of_a_barred_unit_gets_review(registry: Registry) -> None:
    found = engine(registry).unit("xa-pol-public-order")
    assert rules_of(found.reasons) == [("successor", "REVIEW", "xa-2016-riot-division")]
    assert "Riot Control Division" in found.reasons[0].text


def test_a_serving_member_takes_the_units_bar(registry: Registry) -> None:
    verdicts = engine(registry)
    quell = verdicts.person("xa-mira-quell")
    assert rules_of(quell.reasons) == [
        ("serving-member", "INELIGIBLE", "xa-2011-zone-7-killings")
    ]
    varrow = verdicts.person("xa-pell-varrow")
    assert rules_of(varrow.reasons) == [
        ("serving-member", "SUSPENDED", "xa-2018-border-disappearances")
    ]


def test_a_former_member_is_not_a_serving_member(registry: Registry) -> None:
    assert engine(registry).person("xa-oren-dask").verdict is Verdict.ELIGIBLE


def test_serving_member_is_read_on_the_as_of_date(registry: Registry) -> None:
    # Quell joined the 311th Battalion in 2016.
    assert engine(registry, as_of=date(2015, 12, 31)).person(
        "xa-mira-quell"
    ).verdict is Verdict.ELIGIBLE


def test_a_partial_date_post_covers_an_allegation_in_the_same_year() -> None:
    # A post ending 2014-02 and an allegation dated only "2014" share days.
    post = Post(unit="xa-harbor", role=Role.MEMBER, end=PartialDate.parse("2014-02"))
    year = PartialDate.parse("2014")
    assert post.covers(year, year)
    later = PartialDate.parse("2014-03")
    assert not post.covers(later, later)


def test_a_commanders_note_stays_with_the_unit_he_commanded(tmp_path: Path) -> None:
    # Notes do not pass down a chain of command, but the commanded unit itself shows them.
    (tmp_path / "units.yaml").write_text(
        "units:\n"
        "  - {id: xa-guard, name: Palace Guard, country: XA, force: other}\n"
        "  - {id: xa-guard-1, name: First Guard Company, country: XA, force: other,"
        " parent: xa-guard}\n"
        "people:\n"
        "  - id: xa-ilse-varn\n"
        "    name: Ilse Varn\n"
        "    country: XA\n"
        "    posts: [{unit: xa-guard, role: commander, start: '2010'}]\n",
        encoding="utf-8",
    )
    (tmp_path / "allegations.yaml").write_text(
        "sources:\n"
        "  - {id: xa-paper, title: Guard Accounts, publisher: Aldoria Gazette}\n"
        "allegations:\n"
        "  - {id: xa-2015-guard-funds, summary: Funds diverted., date: '2015', country: XA,"
        " violations: [corruption], people: [xa-ilse-varn], credibility: credible,"
        " evidence: [{source: xa-paper}]}\n",
        encoding="utf-8",
    )
    verdicts = engine(open_registry(tmp_path))
    assert rules_of(verdicts.unit("xa-guard").reasons) == [
        ("not-gvhr", "ELIGIBLE", "xa-2015-guard-funds")
    ]
    assert "held a post (commander)" in verdicts.unit("xa-guard").reasons[0].text
    assert verdicts.unit("xa-guard-1").reasons == ()


# --- law and remediation -----------------------------------------------------------


def test_effective_steps_lift_the_bar_under_state_law_only(registry: Registry) -> None:
    state = engine(registry, law=Law.STATE).unit("xa-marine-5")
    assert rules_of(state.reasons) == [("remediated", "ELIGIBLE", "xa-2012-marine-killing")]
    assert "State determination 2016-XA-04" in state.reasons[0].text
    dod = engine(registry, law=Law.DOD).unit("xa-marine-5")
    assert rules_of(dod.reasons) == [("direct", "INELIGIBLE", "xa-2012-marine-killing")]
    assert "State law only" in dod.reasons[0].text


def test_a_waiver_lifts_the_bar_under_dod_law_only(registry: Registry) -> None:
    assert engine(registry, law=Law.DOD).unit("xa-air-9").verdict is Verdict.ELIGIBLE
    state = engine(registry, law=Law.STATE).unit("xa-air-9")
    assert state.verdict is Verdict.INELIGIBLE
    assert "Secretary of Defense waiver 17-XA" in state.reasons[0].text


def test_a_remediation_dated_after_as_of_does_not_lift_the_bar(registry: Registry) -> None:
    # The effective-steps determination is dated 2016-03: made some day that month, so
    # it lifts the bar from the month's last day, not before.
    for day in (date(2016, 2, 29), date(2016, 3, 1), date(2016, 3, 30)):
        assert engine(registry, as_of=day).unit("xa-marine-5").verdict is (
            Verdict.INELIGIBLE
        ), day
    assert engine(registry, as_of=date(2016, 3, 31)).unit("xa-marine-5").verdict is (
        Verdict.ELIGIBLE
    )


# --- as of -----------------------------------------------------------------------


def test_an_allegation_dated_after_as_of_is_ignored(registry: Registry) -> None:
    # Dated 2019-06: the month starts on 2019-06-01.
    assert engine(registry, as_of=date(2019, 5, 31)).unit("xa-special").verdict is (
        Verdict.ELIGIBLE
    )
    assert engine(registry, as_of=date(2019, 6, 1)).unit("xa-special").verdict is (
        Verdict.INELIGIBLE
    )


def test_as_of_reaches_every_rule(registry: Registry) -> None:
    # Before the 2011 killings nothing reaches the zone, its brigade or the commander.
    early = engine(registry, as_of=date(2010, 12, 31))
    for unit_id in ("xa-zone-7", "xa-bde-31", "xa-bn-311"):
        assert early.unit(unit_id).verdict is Verdict.ELIGIBLE
    assert early.person("xa-corvin-malstrand").verdict is Verdict.ELIGIBLE


# --- answers -----------------------------------------------------------------------


def answer(registry: Registry, query: Query, *candidates: Candidate) -> Answer:
    return vet_query(
        registry, FixedMatcher(candidates), query,  # type: ignore[arg-type]
        as_of=AS_OF, law=Law.STATE,
    )


def test_a_match_takes_its_entitys_verdict_and_cites_its_sources(registry: Registry) -> None:
    found = answer(
        registry, Query("unit", "Riot Control Division"),
        candidate(registry, "xa-pol-riot", Band.MATCH, 100),
    )
    assert found.verdict is Verdict.INELIGIBLE
    assert [source.id for source in found.sources] == [
        "aldoria-gazette-2019", "aldoria-ombudsman-2020",
    ]
    assert found.citations == ((1, 2),)
    assert found.duty_to_inform


def test_a_possible_candidate_that_is_not_eligible_makes_review(registry: Registry) -> None:
    found = answer(
        registry, Query("unit", "Harbour Patrol"),
        candidate(registry, "xa-harbor", Band.POSSIBLE, 84),
    )
    assert found.verdict is Verdict.REVIEW
    assert [reason.rule for reason in found.reasons] == [Code.POSSIBLE_MATCH]
    assert found.reasons[0].allegation == "xa-2013-harbor-torture"
    assert [source.id for source in found.sources] == ["aldoria-ombudsman-2020"]
    assert found.matches[0].verdict is Verdict.INELIGIBLE
    assert not found.duty_to_inform


def test_an_eligible_possible_candidate_leaves_eligible(registry: Registry) -> None:
    found = answer(
        registry, Query("unit", "River Patrol"),
        candidate(registry, "xa-river", Band.POSSIBLE, 84),
    )
    assert found.verdict is Verdict.ELIGIBLE
    assert [reason.rule for reason in found.reasons] == [Code.NO_RECORD]


def test_a_match_outweighs_a_barred_possible_candidate_beside_it(
    registry: Registry,
) -> None:
    found = answer(
        registry, Query("unit", "River Patrol Unit"),
        candidate(registry, "xa-river", Band.MATCH, 100),
        candidate(registry, "xa-harbor", Band.POSSIBLE, 80),
    )
    assert found.verdict is Verdict.ELIGIBLE
    assert [reason.rule for reason in found.reasons] == [Code.CLEAR_RECORD]
    # Still listed, with its own verdict, for the analyst to see.
    assert [(m.candidate.id, m.verdict) for m in found.matches] == [
        ("xa-river", Verdict.ELIGIBLE), ("xa-harbor", Verdict.INELIGIBLE),
    ]


def test_no_candidate_is_eligible_with_no_record(registry: Registry) -> None:
    found = answer(registry, Query("unit", "Lighthouse Keepers"))
    assert found.verdict is Verdict.ELIGIBLE
    assert found.matches == ()
    (reason,) = found.reasons
    assert reason.rule is Code.NO_RECORD
    assert "no record in the registry" in reason.text
    assert found.sources == ()


def test_a_clean_match_says_no_allegation_reaches_it(registry: Registry) -> None:
    found = answer(
        registry, Query("unit", "River Patrol Unit"),
        candidate(registry, "xa-river", Band.MATCH, 100),
    )
    assert found.verdict is Verdict.ELIGIBLE
    assert [reason.rule for reason in found.reasons] == [Code.CLEAR_RECORD]


def test_two_matched_entities_take_the_worst_and_say_it_is_ambiguous(
    registry: Registry,
) -> None:
    found = answer(
        registry, Query("unit", "Rapid Intervention Unit"),
        candidate(registry, "xb-rapid", Band.MATCH, 100),
        candidate(registry, "xa-rapid", Band.MATCH, 100),
    )
    assert found.verdict is Verdict.INELIGIBLE
    ambiguous = [reason for reason in found.reasons if reason.rule is Code.AMBIGUOUS_MATCH]
    assert len(ambiguous) == 1 and ambiguous[0].verdict is Verdict.REVIEW
    assert "xa-rapid" in ambiguous[0].text and "xb-rapid" in ambiguous[0].text


def test_person_and_unit_take_the_worse_verdict(registry: Registry) -> None:
    crow = candidate(registry, "xa-ansel-crow", Band.MATCH, 100)
    riot = candidate(registry, "xa-pol-riot", Band.MATCH, 100)
    alone = answer(registry, Query("person", "Ansel Crow"), crow)
    assert alone.verdict is Verdict.ELIGIBLE
    together = answer(registry, Query("person", "Ansel Crow", unit="Riot Control Division"),
                      crow, riot)
    assert together.verdict is Verdict.INELIGIBLE
    assert {match.candidate.id for match in together.matches} == {"xa-ansel-crow", "xa-pol-riot"}
    (joined,) = [r for r in together.reasons if r.rule is Code.UNIT_AND_PERSON]
    assert joined.verdict is Verdict.INELIGIBLE and joined.entity == "xa-pol-riot"


def test_a_barred_person_in_a_clean_unit_stays_barred(registry: Registry) -> None:
    found = answer(
        registry, Query("person", "Tobin Elvar", unit="River Patrol Unit"),
        candidate(registry, "xa-tobin-elvar", Band.MATCH, 100),
        candidate(registry, "xa-river", Band.MATCH, 100),
    )
    assert found.verdict is Verdict.INELIGIBLE
    assert found.reasons[0].rule is Code.DIRECT


def test_reasons_come_worst_first(registry: Registry) -> None:
    found = answer(
        registry, Query("person", "Ansel Crow", unit="Customs Enforcement Directorate"),
        candidate(registry, "xa-ansel-crow", Band.MATCH, 100),
        candidate(registry, "xa-prison", Band.POSSIBLE, 80),
        candidate(registry, "xa-customs", Band.MATCH, 100),
    )
    severities = [reason.verdict.severity for reason in found.reasons]
    assert severities == sorted(severities, reverse=True)


@pytest.mark.parametrize(
    ("as_of", "until"),
    [
        (date(2020, 6, 1), date(2021, 6, 1)),
        (date(2024, 2, 29), date(2025, 2, 28)),
        (date(2023, 12, 31), date(2024, 12, 31)),
    ],
)
def test_an_answer_is_valid_for_a_year(as_of: date, until: date) -> None:
    assert a_year_after(as_of) == until


def test_duty_to_inform_is_for_ineligible_under_state_law_only(registry: Registry) -> None:
    query = Query("unit", "Riot Control Division")
    matcher = FixedMatcher([candidate(registry, "xa-pol-riot", Band.MATCH, 100)])
    state = vet_query(registry, matcher, query, as_of=AS_OF, law=Law.STATE)  # type: ignore[arg-type]
    dod = vet_query(registry, matcher, query, as_of=AS_OF, law=Law.DOD)  # type: ignore[arg-type]
    assert (state.verdict, state.duty_to_inform) == (Verdict.INELIGIBLE, True)
    assert (dod.verdict, dod.duty_to_inform) == (Verdict.INELIGIBLE, False)


def test_the_json_contract(registry: Registry) -> None:
    found = answer(
        registry, Query("unit", "Harbor Patrol Unit", country="XA"),
        candidate(registry, "xa-harbor", Band.MATCH, 100),
    ).to_dict()
    assert set(found) >= {
        "query", "as_of", "law", "verdict", "matches", "reasons", "sources",
        "valid_until", "duty_to_inform", "registry",
    }
    assert found["query"] == {
        "kind": "unit", "name": "Harbor Patrol Unit", "unit": None, "birth_date": None,
        "country": "XA",
    }
    assert (found["as_of"], found["valid_until"], found["law"]) == (
        "2020-06-01", "2021-06-01", "state",
    )
    assert found["matches"][0] | {"explanation": None} == {
        "id": "xa-harbor", "kind": "unit", "name": "Harbor Patrol Unit",
        "matched_name": "Harbor Patrol Unit", "score": 100, "band": "match",
        "verdict": "INELIGIBLE", "explanation": None,
    }
    assert found["reasons"][0] | {"text": ""} == {
        "rule": "member-at-the-time", "code": "VET502", "verdict": "INELIGIBLE",
        "entity": "xa-harbor", "allegation": "xa-2013-harbor-torture", "text": "",
        "sources": [1],
    }
    assert found["sources"] == [{
        "n": 1, "id": "aldoria-ombudsman-2020", "title": "Annual Report of the Ombudsman",
        "publisher": "Office of the Ombudsman of Aldoria", "published": "2020",
        "url": "https://example.org/aldoria/ombudsman-2020",
    }]
    assert found["registry"]["digest"].startswith("sha256:")
    assert (found["registry"]["units"], found["registry"]["people"],
            found["registry"]["allegations"]) == (21, 7, 11)


# --- bulk ------------------------------------------------------------------------


def test_bulk_answers_match_single_answers_and_match_each_name_once(
    registry: Registry,
) -> None:
    matcher = Matcher.from_registry(registry)
    queries = [
        Query("unit", "Riot Control Division"),
        Query("person", "Mira Quell", unit="Customs Enforcement Directorate"),
        Query("unit", "Riot Control Division"),
        Query("unit", "Lighthouse Keepers"),
        Query("person", "Tobin Elvar", birth_date=PartialDate.parse("1980")),
    ]
    bulk = vet_queries(registry, matcher, queries, as_of=AS_OF, law=Law.STATE)
    single = [vet_query(registry, matcher, q, as_of=AS_OF, law=Law.STATE) for q in queries]
    assert [a.to_dict() for a in bulk] == [a.to_dict() for a in single]
    assert [a.verdict for a in bulk] == [
        Verdict.INELIGIBLE, Verdict.INELIGIBLE, Verdict.INELIGIBLE, Verdict.ELIGIBLE,
        Verdict.INELIGIBLE,
    ]

    counting = FixedMatcher([])
    vet_queries(registry, counting, queries, as_of=AS_OF, law=Law.STATE)  # type: ignore[arg-type]
    # Three distinct unit names (the person's unit included) in one call, two people in one.
    assert sorted(counting.calls) == [("people", 2), ("units", 3)]
