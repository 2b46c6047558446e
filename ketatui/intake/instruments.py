"""PHQ-9, GAD-7 and ASQ: exact published wording, attribution, answers and scoring.

The PHQ-9 and GAD-7 are free to reproduce (Pfizer educational grant, no permission needed);
the ASQ is a free NIMH resource. Their wording below is the published wording and must not be
paraphrased. Scores, bands, response and remission are computed here and nowhere else.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, field_validator, ValidationInfo

from ketatui.intake.fields import LongText, Section

FREQUENCY_CHOICES: tuple[str, ...] = ("Not at all", "Several days", "More than half the days", "Nearly every day")

PHQ9_STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
PHQ9_ITEMS: tuple[str, ...] = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
    "fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
PHQ9_DIFFICULTY_QUESTION = (
    "If you checked off any problems, how difficult have these problems made it for you to do your "
    "work, take care of things at home, or get along with other people?"
)
PHQ9_DIFFICULTY_CHOICES: tuple[str, ...] = (
    "Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult",
)
PHQ_ATTRIBUTION = (
    "PHQ-9 and GAD-7: developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and "
    "colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute."
)

GAD7_STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"
GAD7_ITEMS: tuple[str, ...] = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)

ASQ_QUESTIONS: tuple[str, ...] = (
    "In the past few weeks, have you wished you were dead?",
    "In the past few weeks, have you felt that you or your family would be better off if you were dead?",
    "In the past week, have you been having thoughts about killing yourself?",
    "Have you ever tried to kill yourself?",
)
ASQ_EVER_TRIED_FOLLOW_UP = "If yes, how? When?"
ASQ_ACUITY_QUESTION = "Are you having thoughts of killing yourself right now?"
ASQ_ATTRIBUTION = "Ask Suicide-Screening Questions (ASQ) toolkit, National Institute of Mental Health (NIMH)."

#: One answer, 0 to 3, as a whole number only: true, "2" or 2.0 is refused, never read as a score.
Answer = Annotated[StrictInt, Field(ge=0, le=3)]

PHQ9_BANDS: tuple[tuple[int, str], ...] = (
    (20, "severe"), (15, "moderately severe"), (10, "moderate"), (5, "mild"), (0, "minimal"),
)
GAD7_BANDS: tuple[tuple[int, str], ...] = ((15, "severe"), (10, "moderate"), (5, "mild"), (0, "minimal"))


def band(score: int, bands: tuple[tuple[int, str], ...]) -> str:
    """The band whose lower edge is the highest one at or below ``score``."""
    for lower, name in bands:
        if score >= lower:
            return name
    raise ValueError(f"score {score} is below every band")


class PHQ9(Section):
    answers: list[Answer] = Field(title="PHQ-9 question", min_length=9, max_length=9)
    difficulty: Answer | None = Field(default=None, title="PHQ-9 difficulty question")

    @property
    def total(self) -> int:
        return sum(self.answers)

    @property
    def band(self) -> str:
        return band(self.total, PHQ9_BANDS)

    @property
    def item9(self) -> int:
        return self.answers[8]


class GAD7(Section):
    answers: list[Answer] = Field(title="GAD-7 question", min_length=7, max_length=7)

    @property
    def total(self) -> int:
        return sum(self.answers)

    @property
    def band(self) -> str:
        return band(self.total, GAD7_BANDS)


class ASQ(Section):
    wished_dead: StrictBool = Field(title="ASQ question 1 (wished you were dead)")
    family_better_off: StrictBool = Field(title="ASQ question 2 (family better off)")
    thoughts_of_killing_self: StrictBool = Field(title="ASQ question 3 (thoughts of killing yourself)")
    ever_tried: StrictBool = Field(title="ASQ question 4 (ever tried)")
    ever_tried_details: LongText = Field(default="", title="ASQ question 4, how and when")
    thoughts_right_now: StrictBool | None = Field(
        default=None, title="ASQ question 5 (thoughts right now)", validate_default=True
    )

    @field_validator("thoughts_right_now")
    @classmethod
    def _acuity_after_any_yes(cls, value: bool | None, info: ValidationInfo) -> bool | None:
        screened_yes = any(info.data.get(k) for k in ("wished_dead", "family_better_off", "thoughts_of_killing_self", "ever_tried"))
        if value is None and screened_yes:
            raise ValueError("must be asked and answered after any yes to questions 1 to 4")
        return value

    @property
    def positive(self) -> bool:
        """Any yes to questions 1–4, or a yes to the acuity question (it only comes after one)."""
        return bool(self.wished_dead or self.family_better_off or self.thoughts_of_killing_self or self.ever_tried or self.thoughts_right_now)

    @property
    def acute_positive(self) -> bool:
        return self.thoughts_right_now is True

    @property
    def result(self) -> Literal["negative", "positive", "acute positive"]:
        if self.acute_positive:
            return "acute positive"
        return "positive" if self.positive else "negative"


def is_response(baseline: int, current: int, drop: float = 0.5) -> bool:
    """Response: the score fell by at least ``drop`` (50 %) from a baseline above zero."""
    return baseline > 0 and (baseline - current) >= drop * baseline


def is_remission(phq9_total: int, below: int = 5) -> bool:
    return phq9_total < below


def percent_change(baseline: int, current: int) -> float | None:
    """Fall from baseline as a percentage (positive = better); None when the baseline is 0."""
    if baseline == 0:
        return None
    return round(100 * (baseline - current) / baseline, 1)
