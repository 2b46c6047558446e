"""The hypertension case through the real ``ketatui`` processes: the plan from a file and the stored
record shown as Markdown carry the same condition, doses, side-effect discussion, count reason and
dose, because both print the core's one plan text."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cases import treated_hypertension

pytestmark = pytest.mark.system


def run(tmp_path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETATUI_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), KETATUI_DATA_DIR=str(tmp_path / "data"),
               KETATUI_KEY_FILE=str(tmp_path / "ketatui.key"), KETATUI_USER="dr.lee")
    result = subprocess.run([sys.executable, "-m", "ketatui", *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr, (result.stdout, result.stderr)
    return result.stdout


def section(text: str, heading: str) -> str:
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


EXPECTED = {
    "Known conditions": ["- **High blood pressure (diagnosed)**: yes; blood pressure controlled by treatment: yes. "
                         "BP before every session; surges are more likely"],
    "Medications": ["- **Zoloft**: 150 mg, once a day; for depression", "- **Xanax**: 0.5 mg, prn; for panic",
                    "  - Read as alprazolam, from the brand name Xanax: benzodiazepine",
                    "- **lisinopril**: 10 mg, every morning; for blood pressure"],
    "Side-effect discussion": ["- Discussed and understood (11 of 11): Feeling detached or unreal",
                               "- The person's concerns: Worried that her blood pressure will spike during the infusion.",
                               "- Questions asked and answers given: Asked whether to take lisinopril on a session day: yes, as usual."],
    "Course": ["- Why 6: The protocol plans 6 IV sessions, and none of its 3 adjustments applied.",
               "  - Severe and chronic (+2): not applied. PHQ-9 19 is 1 point below 20 (severe)",
               "- Dose: **39 mg**. BMI 28.7 is below 30, so the dose is by the actual weight of 78 kg: 0.5 mg/kg × 78 kg = 39 mg.",
               "  - **Failed but still taken**: sertraline, listed as 'Zoloft 150 mg once a day'"],
}


def test_plan_and_records_show_carry_everything_the_plan_rests_on(tmp_path):
    case = tmp_path / "treated-hypertension.json"
    case.write_text(json.dumps(treated_hypertension()), encoding="utf-8")

    planned = run(tmp_path, "plan", str(case), "--format", "markdown")
    assert "imported 1 intake(s)" in run(tmp_path, "records", "import", str(case))
    shown = run(tmp_path, "records", "show", treated_hypertension()["record_id"][:8], "--format", "markdown")

    for text in (planned, shown):
        for heading, lines in EXPECTED.items():
            body = section(text, heading)
            for line in lines:
                assert line in body, (heading, line)
    for heading in EXPECTED:  # none of these depends on the day: the stored plan and the file's plan agree
        assert section(shown, heading) == section(planned, heading)
