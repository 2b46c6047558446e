"""F1 help quotes the clinic's protocol: a clinic that changes its numbers sees them in the help,
never the built-in ones."""

from __future__ import annotations

from textual.widgets import Static

from ketatui.screens.help import HelpScreen
from ketatui.screens.medical_history import MedicalHistoryStep

CHANGES = {
    "thresholds.minor_age_below": 21,
    "thresholds.older_age_from": 70,
    "thresholds.bmi_high_from": 35.0,
    "thresholds.trd_min_failed_trials": 3,
    "thresholds.adequate_trial_weeks": 8,
    "thresholds.failed_trial_improvement_below": 25,
    "thresholds.bp_severe_systolic": 170,
    "thresholds.bp_severe_diastolic": 105,
    "thresholds.bp_elevated_systolic": 135,
    "thresholds.bp_elevated_diastolic": 85,
    "thresholds.response_drop_percent": 40,
    "thresholds.remission_phq9_below": 7,
    "course.iv_ketamine.planned": 5,
}


def help_on_page(text_by_page: dict[str, str], page: str) -> str:
    return " ".join(text_by_page[page].split())


async def help_pages(app, driver_for, make_intake) -> dict[str, str]:
    """F1 on every medical history page up to the PHQ-9 of a completed draft, F3 between pages:
    page id -> the help shown."""
    intake = make_intake()
    intake.status, intake.current_step = "draft", "medical_history"
    intake.form_state = {"medical_history": {"page": "about", "values": {}}}
    shown: dict[str, str] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        d = driver_for(pilot)
        await d.until(lambda: app.ready, "the settings, the protocol and the store")
        app.call_later(app.open_intake, app.new_session(intake))
        await d.until(lambda: isinstance(app.screen, MedicalHistoryStep) and app.focused is not None, "the step")
        for page in ("about", "depression", "trials", "substance", "physical-heart", "physical-other", "vitals", "phq9"):
            await d.until(lambda: app.step.page_label.startswith(f"page {len(shown) + 1} "), f"page {page}")
            await d.keys("f1")
            assert isinstance(app.screen, HelpScreen)
            shown[page] = str(app.screen.query_one("#help-why", Static).content)
            await d.keys("escape")
            await d.next()
    return shown


async def test_help_quotes_the_protocol_the_clinic_set(make_app, protocol_toml, tmp_path, driver_for, make_intake) -> None:
    """The clinic's own protocol file, named in the settings."""
    protocol_file = tmp_path / "clinic-protocol.toml"
    protocol_file.write_text(protocol_toml(CHANGES), encoding="utf-8")
    shown = await help_pages(make_app(protocol_file=protocol_file), driver_for, make_intake)

    about = help_on_page(shown, "about")
    assert "under 21, 70 or older" in about and "at 35 or more" in about
    assert "18" not in about and "65" not in about and "30" not in about
    depression = help_on_page(shown, "depression")
    assert "IV ketamine plans 5, between 4 and 8, 2 a week" in depression
    trials = help_on_page(shown, "trials")
    assert "at least 3 antidepressants" in trials and "at least 8 weeks" in trials and "less than 25% improvement" in trials
    vitals = help_on_page(shown, "vitals")
    assert "At or above 170/105 mmHg" in vitals and "at or above 135/85" in vitals
    phq9 = help_on_page(shown, "phq9")
    assert "a fall of 40% or more" in phq9 and "a score below 7" in phq9
    assert "50%" not in phq9 and "below 5" not in phq9


async def test_help_with_the_built_in_protocol_says_its_numbers(make_app, driver_for, make_intake) -> None:
    shown = await help_pages(make_app(), driver_for, make_intake)

    assert "under 18, 65 or older" in help_on_page(shown, "about")
    assert "at least 2 antidepressants" in help_on_page(shown, "trials")
    assert "At or above 180/110 mmHg" in help_on_page(shown, "vitals")
    assert "a fall of 50% or more" in help_on_page(shown, "phq9")
