"""Response to the course, from the baseline PHQ-9 and one later score (DESIGN.md, The course).

Response is a fall of at least ``response_drop_percent`` (50 %), partial response a fall of at
least ``partial_response_drop_percent`` (25 %), remission a PHQ-9 below ``remission_phq9_below``
(5). Relapse needs an earlier response: the score is no longer a response and is at or above
``relapse_phq9_from`` (10). The arithmetic is in whole numbers so 50 % is exactly a response.
"""

from __future__ import annotations

from typing import Literal

from ketatui.clinical.protocol import Thresholds
from ketatui.intake.instruments import percent_change

Response = Literal["too_early", "none", "partial", "response", "remission", "relapse"]

RESPONSE_WORDS: dict[str, str] = {
    "too_early": "too early to tell",
    "none": "no response",
    "partial": "partial response",
    "response": "response",
    "remission": "remission",
    "relapse": "relapse after a response",
}


def fell_by_at_least(baseline: int, score: int, percent: int) -> bool:
    return baseline > 0 and 100 * (baseline - score) >= percent * baseline


def is_responding(baseline: int, score: int, t: Thresholds) -> bool:
    """A response or a remission: what a later relapse is measured against."""
    return score < t.remission_phq9_below or fell_by_at_least(baseline, score, t.response_drop_percent)


def categorise(baseline: int, score: int | None, t: Thresholds, *, responded_before: bool = False) -> Response:
    if score is None:
        return "too_early"
    if score < t.remission_phq9_below:
        return "remission"
    responding = fell_by_at_least(baseline, score, t.response_drop_percent)
    if responded_before and not responding and score >= t.relapse_phq9_from:
        return "relapse"
    if responding:
        return "response"
    return "partial" if fell_by_at_least(baseline, score, t.partial_response_drop_percent) else "none"


def describe(baseline: int, score: int, category: Response) -> str:
    """'PHQ-9 20 → 13, a 35 % fall: partial response' — the words every decision quotes."""
    change = percent_change(baseline, score)
    if change is None:
        moved = "no change measurable from a baseline of 0"
    elif change >= 0:
        moved = f"a {change:g} % fall"
    else:
        moved = f"a {-change:g} % rise"
    return f"PHQ-9 {baseline} → {score}, {moved}: {RESPONSE_WORDS[category]}"


def change_words(percent: float | None) -> str:
    """A PHQ-9 change from the baseline as a table cell says it: "38.9 % fall", "no change", "5 % rise"."""
    if percent is None:
        return ""
    if percent == 0:
        return "no change"
    return f"{percent:g} % fall" if percent > 0 else f"{-percent:g} % rise"

