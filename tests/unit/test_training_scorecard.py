"""The scorecard (flags caught, missed and raised wrongly by the real rules; facts; completeness;
the crisis path; the course decision; the time), the kept results and the trainer's summary, and
the training store that can never be the real one."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ketatui.clinical.protocol import default_protocol
from ketatui.intake.medications import MedicationEntry, Medications
from ketatui.intake.side_effects import SideEffectDiscussion, topic
from ketatui.settings import Settings
from ketatui.training.results import Results, export, summary
from ketatui.training.scenario import Library
from ketatui.training.scorecard import markdown, score
from ketatui.training.store import TrainingStoreRefused, check_apart, training_settings

LIBRARY = Library()
START = datetime(2027, 1, 11, 9, 0, tzinfo=timezone.utc)


def card_for(scenario_id: str, change=None, *, crisis_help_shown: bool = True, trainee: str = "sam", minutes: int = 14):
    scenario = LIBRARY.get(scenario_id)
    intake = scenario.correct_intake()
    if change:
        change(intake)
    return score(scenario, intake, default_protocol(), trainee=trainee, started_at=START,
                 finished_at=START + timedelta(minutes=minutes, seconds=5), crisis_help_shown=crisis_help_shown)


@pytest.mark.parametrize("scenario", LIBRARY.scenarios, ids=lambda s: s.id)
def test_the_correct_intake_scores_perfect(scenario) -> None:
    card = card_for(scenario.id)
    assert card.perfect and card.misses() == [] and card.time_taken == "14 min 05 s"


def test_a_brand_name_for_the_generic_still_counts_as_found_out() -> None:
    def klonopin(intake):
        intake.medications.items[0] = MedicationEntry(name="Klonopin", dose="0.5 mg")

    assert card_for("benzodiazepine-lamotrigine", klonopin).perfect


def test_misses_wrong_flags_sections_topics_crisis_and_decision_are_each_named() -> None:
    def careless(intake):
        intake.asq = intake.asq.model_copy(update={"thoughts_right_now": None})
        intake.goals_support = intake.goals_support.model_copy(update={"crisis_plan": ""})
        intake.medications = Medications(items=[MedicationEntry(name="Xanax")])
        intake.side_effects = SideEffectDiscussion(discussed={**intake.side_effects.discussed, "vision": False})

    card = card_for("suicide-screen-positive", careless, crisis_help_shown=False)
    assert [f.code for f in card.caught] == ["RISK-SUICIDE-SCREEN"] and card.missed == []
    assert [f.code for f in card.wrongly_raised] == ["INT-BENZODIAZEPINE", "CONSENT-INCOMPLETE"]
    assert card.topics_not_discussed == [topic("vision").title]
    assert [s.done for s in card.crisis.steps] == [False, False, False] and not card.crisis.followed
    assert not card.perfect
    text = markdown(card)
    assert "[!] RAISED WRONGLY INT-BENZODIAZEPINE" in text and "- [ ] A crisis plan written in Goals and support" in text


def test_a_missing_section_means_no_plan_and_a_wrong_decision() -> None:
    card = card_for("bp-out-of-range", lambda intake: setattr(intake, "goals_support", None))
    assert card.sections_incomplete == ["Goals and support"]
    assert card.decision.recorded_schedulable is None and not card.decision.matches
    assert card.misses()[-1] == "Course decision: no plan (a section is missing); expected not schedulable until reviewed"


def test_results_are_kept_per_trainee_and_summed_up_for_the_trainer(tmp_path: Path) -> None:
    results = Results(tmp_path / "scorecards")
    results.save(card_for("older-cardiac", trainee="sam"))
    results.save(card_for("older-cardiac", lambda i: setattr(i.medical_history.physical, "coronary_disease", False), trainee="ana", minutes=9))
    results.save(card_for("pregnancy", lambda i: setattr(i.medical_history.physical, "trying_to_conceive", False), trainee="ana", minutes=20))
    (tmp_path / "scorecards" / "ana" / "broken.json").write_text("{")
    assert [c.scenario_id for c in results.all("ana")] == ["older-cardiac", "pregnancy"]
    assert results.unreadable and "broken.json" in results.unreadable[0]
    view = summary(results.all())
    assert [(t.trainee, t.runs, t.perfect, t.flags_missed) for t in view.trainees] == [("ana", 2, 0, 2), ("sam", 1, 1, 0)]
    table = view.table()
    assert table[0] == ("FLAG", "EXPECTED", "MISSED", "MISSED BY")
    assert ("CI-PREGNANCY", "1", "1", "ana (1)") in table and ("CARDIAC", "2", "1", "ana (1)") in table
    chart = view.chart(width=10)
    assert chart[0] == "CI-PREGNANCY         ########## 1/1 missed"
    assert "CARDIAC              #####..... 1/2 missed" in chart


def test_a_scorecard_exports_as_markdown_and_json(tmp_path: Path) -> None:
    card = card_for("no-escort")
    md, js = export(card, tmp_path / "exports")
    assert md.read_text().startswith("# Training scorecard: Nobody to take them home")
    assert "SYNTHETIC TRAINING RECORD" in md.read_text()
    assert json.loads(js.read_text())["caught"][0]["code"] == "SUPPORT-NO-ESCORT"
    assert oct(md.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("training", ["data", "data/training", "."])
def test_the_training_store_may_not_be_hold_or_sit_in_the_real_store(tmp_path: Path, training: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", key_file=tmp_path / "k.key", user="x", training_data_dir=tmp_path / training)
    with pytest.raises(TrainingStoreRefused, match="overlaps the real store"):
        check_apart(settings)


def test_the_training_store_has_its_own_folder_key_and_backend(tmp_path: Path) -> None:
    from pydantic import SecretStr

    settings = Settings(data_dir=tmp_path / "data", key_file=tmp_path / "k.key", user="x", passphrase=SecretStr("real one"),
                        training_data_dir=tmp_path / "training")
    training = training_settings(settings)
    assert training.data_dir == tmp_path / "training" / "store" and training.key_file == tmp_path / "training" / "training.key"
    assert training.passphrase is None and training.backend == "tinydb"
    assert not (tmp_path / "data").exists() and not (tmp_path / "k.key").exists()
