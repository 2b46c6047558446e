"""About the treatment, for the patient: short pages shown before the questions at the kiosk,
and the same words on the take-home sheet, so what a person read and what they take home agree.

Written in our own words from the clinic's clinical reference (what ketamine is, how it is
thought to work, what a session is like, how many sessions, follow-up, the support person), at
a reading level a patient-wording test keeps at grade 8 or lower.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AboutPage:
    """One short page: a heading and a few plain paragraphs."""

    id: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


ABOUT_PAGES: tuple[AboutPage, ...] = (
    AboutPage("what", "What ketamine is", (
        "Ketamine is a medicine that doctors have used for a long time to put people to sleep for surgery.",
        "For depression, a much smaller dose is used. It is given to you at the clinic, with staff "
        "close by the whole time.",
        "It can be given as a drip into a vein. A similar medicine, esketamine, is a nasal spray. "
        "Your doctor will talk with you about which one fits you.",
    )),
    AboutPage("how", "How it may help", (
        "Most pills for depression work on a brain chemical called serotonin. Ketamine works on a "
        "different one, called glutamate.",
        "Scientists think this helps brain cells grow new links with each other. It can lift mood "
        "fast, sometimes within hours or a day.",
        "How it works is still being studied. The effect of one dose often fades after about a "
        "week. That is why people have a series of sessions.",
    )),
    AboutPage("session", "What a session is like", (
        "You sit or lie back in a quiet room. The medicine is given over about 40 minutes. Then "
        "you rest while staff watch over you.",
        "You may feel dreamy, far away or like you are floating. Sounds and colors may seem odd. "
        "You may feel dizzy or sick to your stomach. These feelings most often pass within an hour "
        "or two.",
        "Ketamine can raise your blood pressure for a while, so staff check it before, during and "
        "before you go home.",
    )),
    AboutPage("count", "How many sessions", (
        "Most people have 4 to 6 sessions, often 2 a week for 2 or 3 weeks.",
        "The number is not the same for everyone. It depends on how strong your depression is, "
        "how you feel after each session, and what you have tried before.",
        "Before each session you answer a few short questions about your mood. Your doctor uses "
        "your answers to decide if you need more sessions or fewer.",
    )),
    AboutPage("follow-up", "Why follow-up matters", (
        "After the sessions end, you come back to see how you are doing.",
        "Follow-up shows how much the treatment has helped. It helps your doctor spot side effects "
        "early, such as bladder or mood changes. It also helps you both plan what comes next.",
        "Depression can come back. If it does, there are choices, such as a few more sessions.",
    )),
    AboutPage("support", "Why you need a support person", (
        "You must not drive until the next day, after a night's sleep. A grown-up you trust must "
        "take you home after each session.",
        "It also helps to have someone on your side during the weeks of treatment. They can help "
        "you keep going and notice changes in your mood.",
        "We will ask who this person is, so please have their name and phone number ready.",
    )),
)


def about_markdown() -> str:
    """The pages as a Markdown section, for the take-home sheet."""
    parts = ["## About the treatment", ""]
    for page in ABOUT_PAGES:
        parts += [f"### {page.title}", "", *(p + "\n" for p in page.paragraphs)]
    return "\n".join(parts).rstrip() + "\n"
