"""Partial dates and spans: the arithmetic every date rule rests on."""

from datetime import date

import pytest
from pydantic import ValidationError

from vetting.model import Allegation, PartialDate, Post, Unit, spans_overlap


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2014", date(2014, 1, 1), date(2014, 12, 31)),
        ("2016-02", date(2016, 2, 1), date(2016, 2, 29)),
        ("2015-02", date(2015, 2, 1), date(2015, 2, 28)),
        ("2014-06-30", date(2014, 6, 30), date(2014, 6, 30)),
    ],
)
def test_partial_date_is_the_span_it_names(text: str, first: date, last: date) -> None:
    parsed = PartialDate.parse(text)
    assert (parsed.first, parsed.last) == (first, last)
    assert str(parsed) == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2020-13", "month 13 does not exist"),
        ("2021-02-29", "day 29 does not exist in 2021-02"),
        ("14-06-2014", "expected a date"),
        ("1700", "year before 1800"),
    ],
)
def test_partial_date_rejects_what_is_not_a_date(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        PartialDate.parse(text)


def test_an_unquoted_year_read_as_a_number_is_a_partial_date() -> None:
    post = Post.model_validate({"unit": "u-1", "role": "member", "end": 2016})
    assert post.end == PartialDate(2016)


def test_a_boolean_is_not_a_date() -> None:
    with pytest.raises(ValidationError, match="expected a date"):
        Post.model_validate({"unit": "u-1", "role": "member", "end": True})


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (("2010", "2012"), ("2012-06", None), True),  # a year covers all its months
        (("2010", "2012-05"), ("2012-06", None), False),
        ((None, None), ("1999", "1999"), True),  # open on both sides
        (("2015-03-02", None), (None, "2015-03-01"), False),
    ],
)
def test_spans_overlap(
    a: tuple[str | None, str | None], b: tuple[str | None, str | None], overlap: bool
) -> None:
    def read(value: str | None) -> PartialDate | None:
        return PartialDate.parse(value) if value else None

    assert spans_overlap(read(a[0]), read(a[1]), read(b[0]), read(b[1])) is overlap
    assert spans_overlap(read(b[0]), read(b[1]), read(a[0]), read(a[1])) is overlap


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        Unit.model_validate(
            {"id": "u-1", "name": "Unit", "country": "XX", "force": "army", "colour": "red"}
        )


def test_an_allegation_needs_evidence_and_a_violation() -> None:
    with pytest.raises(ValidationError) as caught:
        Allegation.model_validate(
            {
                "id": "a-1", "summary": "s", "date": "2020", "country": "XX",
                "violations": [], "credibility": "credible", "evidence": [],
            }
        )
    assert {error["loc"][0] for error in caught.value.errors()} == {"violations", "evidence"}


@pytest.mark.parametrize("country", ["ZZ", "QQ", "AA", "YU", "mx", "MEX", "Ｍ Ｘ"])
def test_a_country_code_must_be_one_in_use(country: str) -> None:
    with pytest.raises(ValidationError, match="country"):
        Unit.model_validate({"id": "u-1", "name": "U", "country": country, "force": "army"})


@pytest.mark.parametrize("country", ["MX", "GT", "UA", "EG", "PH", "SS", "XK", "XA"])
def test_assigned_and_user_assigned_country_codes_are_accepted(country: str) -> None:
    unit = Unit.model_validate({"id": "u-1", "name": "U", "country": country, "force": "army"})
    assert unit.country == country


@pytest.mark.parametrize("name", ["Batallón \x1b[2J7", "Unidad\x00", "Zona\x9b31m"])
def test_control_characters_cannot_hide_in_a_name(name: str) -> None:
    with pytest.raises(ValidationError, match="control character U\\+00"):
        Unit.model_validate({"id": "u-1", "name": name, "country": "XA", "force": "army"})


def test_notes_may_hold_line_breaks_and_tabs() -> None:
    unit = Unit.model_validate(
        {"id": "u-1", "name": "U", "country": "XA", "force": "army", "notes": "a\n\tb\r\n"}
    )
    assert unit.notes == "a\n\tb\r\n"


def test_full_width_digits_are_not_a_date() -> None:
    with pytest.raises(ValueError, match="expected a date"):
        PartialDate.parse("２０２０")
