"""The side-effect discussion step: what must be explained before consent, and what was.

The topics and their frequencies come from the clinical reference (sections 2.2, 4.1-4.3);
the sentences are ketatui's own plain words, written for the person being treated.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ketatui.intake.fields import LongText, Section


class SideEffectTopic(BaseModel):
    """One thing the clinician explains, in words the patient can follow."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    explanation: str
    how_often: str
    serious: bool


SIDE_EFFECT_TOPICS: tuple[SideEffectTopic, ...] = (
    SideEffectTopic(
        id="dissociation",
        title="Feeling detached or unreal",
        explanation="During and soon after a session you may feel outside your body, or sights and "
        "sounds may seem strange. It passes, usually within two hours, and tends to ease with each session.",
        how_often="Very common: more than half of people notice it.",
        serious=False,
    ),
    SideEffectTopic(
        id="blood_pressure",
        title="Blood pressure goes up",
        explanation="Blood pressure rises during the session, highest at about 40 minutes, and settles "
        "within a few hours. We measure it before, during and before you leave.",
        how_often="Common: a large rise happens in about 1 in 10 people in the first month; "
        "a severe rise in about 1 in 100 sessions.",
        serious=True,
    ),
    SideEffectTopic(
        id="sedation",
        title="Drowsiness",
        explanation="You may feel very sleepy after the dose. Rarely someone stops responding for a "
        "short while, which is why staff watch you until it has passed.",
        how_often="Common: about half of people feel drowsy; not responding happens in about 3 in 1,000.",
        serious=True,
    ),
    SideEffectTopic(
        id="dizziness_nausea",
        title="Dizziness and feeling sick",
        explanation="You may feel dizzy, light-headed or sick to your stomach on the day; some people vomit.",
        how_often="Common: dizziness in about 1 in 3, nausea in about 1 in 4, vomiting in about 1 in 10.",
        serious=False,
    ),
    SideEffectTopic(
        id="headache_anxiety",
        title="Headache and anxiety",
        explanation="A headache or a wave of anxiety during or after the session is possible and "
        "usually short-lived.",
        how_often="Common: headache in about 1 in 5; anxiety in about 1 in 10.",
        serious=False,
    ),
    SideEffectTopic(
        id="vision",
        title="Blurred or double vision",
        explanation="Eyesight can be blurred or doubled for a short time after a dose.",
        how_often="Fairly common: up to about 1 in 6 people.",
        serious=False,
    ),
    SideEffectTopic(
        id="driving_escort",
        title="No driving; someone takes you home",
        explanation="After every session an adult must take you home. Do not drive or use machinery "
        "until the next day, after a night's sleep.",
        how_often="Applies to every session.",
        serious=True,
    ),
    SideEffectTopic(
        id="bladder",
        title="Bladder irritation",
        explanation="Ketamine can irritate the bladder, causing pain or needing to pass urine often or "
        "urgently. Tell us straight away if this starts; it usually improves when ketamine stops.",
        how_often="Seen mostly with heavy or frequent use outside treatment (about 1 in 4 such users); "
        "uncommon at treatment doses.",
        serious=True,
    ),
    SideEffectTopic(
        id="misuse",
        title="Risk of misuse",
        explanation="Ketamine can be misused and can lead to dependence. It is only ever given here, "
        "under supervision, never to take home.",
        how_often="A known risk of the medicine; we ask about it at every review.",
        serious=True,
    ),
    SideEffectTopic(
        id="liver",
        title="Liver and bile ducts",
        explanation="Repeated doses can, rarely, affect the liver or bile ducts, so blood tests may be "
        "checked before and during a course.",
        how_often="Rare.",
        serious=True,
    ),
    SideEffectTopic(
        id="mood_monitoring",
        title="Watching mood and suicidal thoughts",
        explanation="Any treatment for depression is watched for worsening mood or new thoughts of "
        "suicide, most closely in people aged 24 or younger. Tell us or call a crisis line at once.",
        how_often="Asked about before every session.",
        serious=True,
    ),
)

TOPIC_IDS: frozenset[str] = frozenset(topic.id for topic in SIDE_EFFECT_TOPICS)


def topic(topic_id: str) -> SideEffectTopic:
    return next(t for t in SIDE_EFFECT_TOPICS if t.id == topic_id)


class SideEffectDiscussion(Section):
    discussed: dict[str, bool] = Field(default_factory=dict, title="Discussed and understood")
    concerns: LongText = Field(default="", title="The person's concerns")
    questions: LongText = Field(default="", title="Questions asked and answers given")

    @field_validator("discussed")
    @classmethod
    def _known_topics(cls, value: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(value) - TOPIC_IDS)
        if unknown:
            raise ValueError(f"unknown topic {', '.join(unknown)}; known topics are {', '.join(sorted(TOPIC_IDS))}")
        return value

    def not_discussed(self) -> list[SideEffectTopic]:
        return [t for t in SIDE_EFFECT_TOPICS if not self.discussed.get(t.id, False)]
