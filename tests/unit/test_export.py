"""Markdown exports: the clinician's summary puts flags first with their reasons; the take-home
sheet is in plain words, without flag codes, and always says where to get help."""

from __future__ import annotations

import re

from ketatui.exchange.markdown import DRAFT_NOTICE, intake_markdown, plan_markdown, take_home_markdown
from ketatui.clinical.flags import FLAG_DEFINITIONS
from ketatui.intake.instruments import ASQ_ATTRIBUTION, PHQ_ATTRIBUTION
from ketatui.clinical.plan import make_plan
from ketatui.clinical.protocol import default_protocol

from builders import TODAY

PROTOCOL = default_protocol()
FLAG_LINE = re.compile(r"^- \*\*(URGENT|STOP|REVIEW|CAUTION|INFO) ([A-Z0-9-]+)\*\*")
CODE = re.compile("|".join(re.escape(code) for code in FLAG_DEFINITIONS))


def plan_of(intake):
    return make_plan(intake, PROTOCOL, today=TODAY)


def test_the_clinician_summary_of_a_schedulable_plan(make_intake) -> None:
    intake = make_intake()
    plan = plan_of(intake)
    text = plan_markdown(plan, intake)
    assert text.startswith("# Treatment plan (draft)")
    assert DRAFT_NOTICE in text
    assert "**Jordan Ellis**, born 1984-03-14" in text
    assert "Not schedulable" not in text and "- None raised." in text
    assert "- Planned sessions: **6** (range 4–8), twice a week for about 3 weeks (weeks 1 to 3)" in text
    assert "1. Mon 09 Mar 2026 (induction)" in text and "6. Thu 26 Mar 2026 (induction)" in text
    assert "- Wellbutrin XL (300 mg, every morning): bupropion" in text
    assert "Protocol default-2026.1; generated 2026-03-02." in text
    assert PHQ_ATTRIBUTION in text and ASQ_ATTRIBUTION in text
    for heading in ("## Flags, most serious first", "## Course", "## Schedule", "## Re-checks", "## Follow-up",
                    "## Discharge rules", "## Medications", "## Goals and support", "## Crisis contacts"):
        assert heading in text


def test_the_clinician_summary_puts_blocking_reasons_and_flags_first(make_intake) -> None:
    intake = make_intake(example="03-blood-pressure-out-of-range.json")
    plan = plan_of(intake)
    text = plan_markdown(plan, intake)
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections[:2] == ["## Not schedulable until reviewed", "## Flags, most serious first"]
    assert "- BP-SEVERE: Blood pressure too high to treat. BP 184/112 at intake is at or above 180/110" in text
    flag_lines = [line for line in text.splitlines() if FLAG_LINE.match(line)]
    assert [FLAG_LINE.match(line).group(2) for line in flag_lines] == [f.code for f in plan.flags]
    assert flag_lines[0].startswith("- **STOP BP-SEVERE**")
    assert "_(from: medical_history.vitals.systolic_bp, medical_history.vitals.diastolic_bp)_" in flag_lines[0]
    assert "Dates are set once the flags above are cleared." in text


def test_esketamine_summary_lists_its_phases(make_intake) -> None:
    intake = make_intake(example="06-esketamine-route.json")
    plan = plan_of(intake)
    text = plan_markdown(plan, intake)
    assert ("- Planned sessions: **12** (range 8–12) over about 8 weeks: twice a week in weeks 1 to 4 (8 sessions), "
            "then once a week in weeks 5 to 8 (4 sessions); then maintenance every 1 to 2 weeks") in text
    sheet = take_home_markdown(plan, intake)
    assert ("We plan **12 sessions** of esketamine nasal spray over about 8 weeks: twice a week in weeks 1 to 4 "
            "(8 sessions), then once a week in weeks 5 to 8 (4 sessions). After that, sessions usually go on every "
            "1 to 2 weeks") in sheet
    assert "2 a week for about 8 weeks" not in sheet, "12 sessions at 2 a week would take 6 weeks, not 8"


def test_adjustments_are_written_down(make_intake) -> None:
    intake = make_intake(example="07-mild-not-treatment-resistant.json")
    text = plan_markdown(plan_of(intake), intake)
    assert "- Adjusted -2: PHQ-9 7 is below 10 (mild)" in text


def test_the_take_home_sheet_has_dates_help_and_no_codes(make_intake) -> None:
    intake = make_intake({"medications.items": [{"name": "Xanax"}]})
    plan = plan_of(intake)
    assert plan.flags  # the clinician sees INT-BENZODIAZEPINE ...
    text = take_home_markdown(plan, intake, clinic_name="Riverside Clinic")
    assert not CODE.search(text), "... the patient never sees a flag code"
    assert "Riverside Clinic" in text and "Jordan Ellis" in text
    assert "- Session 1: Mon 09 Mar 2026" in text
    assert "We plan **6 sessions** of IV racemic ketamine" in text
    assert "**988 Suicide & Crisis Lifeline**: Call or text 988, any time" in text
    assert "Your crisis plan: Call Sam, then 988" in text
    assert "eligib" not in text.lower()


def test_the_take_home_sheet_without_dates(make_intake) -> None:
    intake = make_intake(example="04-positive-suicide-screen.json")
    text = take_home_markdown(plan_of(intake), intake)
    assert not CODE.search(text)
    assert "they will give you dates after that" in text
    assert "## If you feel unsafe" in text and "988" in text


def test_the_whole_record(make_intake) -> None:
    intake = make_intake(training=True)
    plan = plan_of(intake)
    text = intake_markdown(intake, plan)
    assert text.startswith(f"# Intake {intake.record_id}")
    assert "SYNTHETIC TRAINING RECORD" in text
    assert "- Jordan Ellis, born 1984-03-14, female, 168 cm, 64 kg (BMI 22.7)" in text
    assert "- Intake BP 122/78, pulse 72" in text
    assert "- PHQ-9 18 (moderately severe); item 9 = 0" in text and "- ASQ negative" in text
    assert "- Wellbutrin XL 300 mg every morning" in text
    assert "# Treatment plan (draft)" in text
    assert "SYNTHETIC" not in intake_markdown(make_intake())


def test_the_clinician_summary_keeps_every_medication_dose_and_the_side_effect_discussion(make_intake) -> None:
    """Nothing typed is dropped: how much and how often each medicine is taken, and the discussion
    as it was held (a topic not discussed is shown unticked)."""
    intake = make_intake({
        "medications.items": [{"name": "Xanax", "dose": "0.5 mg", "how_often": "as needed"}],
        "side_effects.discussed.bladder": False,
        "side_effects.concerns": "Worried about the drive home.",
    })
    text = plan_markdown(plan_of(intake), intake)
    assert "- Xanax (0.5 mg, as needed): alprazolam" in text
    section = text.split("## Side-effect discussion", 1)[1].split("##", 1)[0]
    assert "- [ ] Bladder irritation" in section
    assert "- [X] Feeling detached or unreal" in section
    assert "The person's concerns: Worried about the drive home." in section
