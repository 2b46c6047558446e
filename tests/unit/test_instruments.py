"""PHQ-9, GAD-7 and ASQ: scores at every band edge, item 9, the ASQ result, response and
remission, and the published wording (clinical reference section 5)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ketatui.intake import instruments as ins
from ketatui.intake.instruments import ASQ, GAD7, PHQ9, is_remission, is_response, percent_change

from builders import phq9_answers


def gad7_answers(total: int) -> list[int]:
    return [min(3, max(0, total - 3 * i)) for i in range(7)]


@pytest.mark.parametrize(("total", "band"), [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "moderately severe"), (19, "moderately severe"), (20, "severe"), (27, "severe"),
])
def test_phq9_band_edges(total, band) -> None:
    phq = PHQ9(answers=phq9_answers(total, item9=min(3, total // 9)))
    assert phq.total == total
    assert phq.band == band


@pytest.mark.parametrize(("total", "band"), [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"), (15, "severe"), (21, "severe"),
])
def test_gad7_band_edges(total, band) -> None:
    gad = GAD7(answers=gad7_answers(total))
    assert gad.total == total
    assert gad.band == band


def test_bands_below_zero_are_refused() -> None:
    with pytest.raises(ValueError, match="below every band"):
        ins.band(-1, ins.PHQ9_BANDS)


@pytest.mark.parametrize("item9", [0, 1, 2, 3])
def test_item9_is_the_ninth_answer(item9) -> None:
    phq = PHQ9(answers=[0] * 8 + [item9])
    assert phq.item9 == item9
    assert phq.total == item9


@pytest.mark.parametrize("answers", [[0] * 8, [0] * 10, [0] * 8 + [4], [-1] + [0] * 8])
def test_phq9_needs_nine_answers_from_0_to_3(answers) -> None:
    with pytest.raises(ValidationError):
        PHQ9(answers=answers)


@pytest.mark.parametrize("answers", [[0] * 6, [0] * 6 + [4]])
def test_gad7_needs_seven_answers_from_0_to_3(answers) -> None:
    with pytest.raises(ValidationError):
        GAD7(answers=answers)


def asq(q1=False, q2=False, q3=False, q4=False, now=None) -> ASQ:
    return ASQ(wished_dead=q1, family_better_off=q2, thoughts_of_killing_self=q3, ever_tried=q4, thoughts_right_now=now)


@pytest.mark.parametrize(("screen", "positive", "acute", "result"), [
    pytest.param(asq(), False, False, "negative", id="all-no"),
    pytest.param(asq(now=False), False, False, "negative", id="all-no-acuity-asked-anyway"),
    pytest.param(asq(q1=True, now=False), True, False, "positive", id="q1"),
    pytest.param(asq(q2=True, now=False), True, False, "positive", id="q2"),
    pytest.param(asq(q3=True, now=False), True, False, "positive", id="q3"),
    pytest.param(asq(q4=True, now=False), True, False, "positive", id="q4-ever-tried"),
    pytest.param(asq(q1=True, q3=True, now=True), True, True, "acute positive", id="acuity-yes"),
])
def test_asq_result(screen, positive, acute, result) -> None:
    assert screen.positive is positive
    assert screen.acute_positive is acute
    assert screen.result == result


@pytest.mark.parametrize("which", ["wished_dead", "family_better_off", "thoughts_of_killing_self", "ever_tried"])
def test_asq_acuity_must_be_answered_after_any_yes(which) -> None:
    answers = {"wished_dead": False, "family_better_off": False, "thoughts_of_killing_self": False, "ever_tried": False, which: True}
    with pytest.raises(ValidationError, match="must be asked and answered after any yes"):
        ASQ(**answers)


@pytest.mark.parametrize(("baseline", "current", "response"), [
    (20, 10, True), (20, 11, False),      # exactly half, one short of half
    (15, 7, True), (15, 8, False),        # odd baseline: 7.5 is the half, so 8 is not a response
    (27, 13, True), (27, 14, False),
    (3, 1, True), (3, 2, False),
    (1, 0, True), (1, 1, False),
    (0, 0, False),                        # nothing to fall from
    (10, 12, False),                      # worse
])
def test_response_is_a_fall_of_at_least_half(baseline, current, response) -> None:
    assert is_response(baseline, current) is response


@pytest.mark.parametrize(("score", "remission"), [(0, True), (4, True), (5, False), (27, False)])
def test_remission_is_below_five(score, remission) -> None:
    assert is_remission(score) is remission


@pytest.mark.parametrize(("baseline", "current", "change"), [(20, 10, 50.0), (15, 8, 46.7), (10, 12, -20.0), (0, 3, None)])
def test_percent_change(baseline, current, change) -> None:
    assert percent_change(baseline, current) == change


def test_published_wording_is_exact() -> None:
    assert ins.FREQUENCY_CHOICES == ("Not at all", "Several days", "More than half the days", "Nearly every day")
    assert ins.PHQ9_STEM == "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    assert len(ins.PHQ9_ITEMS) == 9 and len(ins.GAD7_ITEMS) == 7 and len(ins.ASQ_QUESTIONS) == 4
    assert ins.PHQ9_ITEMS[0] == "Little interest or pleasure in doing things"
    assert ins.PHQ9_ITEMS[1] == "Feeling down, depressed, or hopeless"
    assert ins.PHQ9_ITEMS[8] == "Thoughts that you would be better off dead or of hurting yourself in some way"
    assert ins.GAD7_ITEMS[0] == "Feeling nervous, anxious, or on edge"
    assert ins.GAD7_ITEMS[6] == "Feeling afraid, as if something awful might happen"
    assert ins.ASQ_QUESTIONS[0] == "In the past few weeks, have you wished you were dead?"
    assert ins.ASQ_QUESTIONS[3] == "Have you ever tried to kill yourself?"
    assert ins.ASQ_ACUITY_QUESTION == "Are you having thoughts of killing yourself right now?"


def test_attribution_is_shown_as_published() -> None:
    assert "Spitzer" in ins.PHQ_ATTRIBUTION and "Williams" in ins.PHQ_ATTRIBUTION and "Kroenke" in ins.PHQ_ATTRIBUTION
    assert "educational grant from Pfizer Inc." in ins.PHQ_ATTRIBUTION
    assert "No permission required to reproduce, translate, display or distribute." in ins.PHQ_ATTRIBUTION
    assert "National Institute of Mental Health" in ins.ASQ_ATTRIBUTION
