"""Builders for course tests: sessions and visits for the base example's intake, numbered as the
clinic numbers them (a held or missed session keeps the number of the session that was due)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from builders import build_intake, phq9_answers

from ketatui.clinical.plan import make_plan
from ketatui.course.records import FollowUpVisit, TreatmentSession

INTAKE = build_intake()
INTAKE_ID = INTAKE.record_id
BASELINE = INTAKE.phq9.total  # 18


def session_data(number: int, day: date, status: str = "given", score: int | None = 14, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "session", "intake_record_id": INTAKE_ID, "number": number, "date": day.isoformat(), "route": "iv_ketamine",
        "status": status, "recorded_by": "nurse.lee", "recorded_at": datetime.combine(day, time(13, 0)).isoformat(),
    }
    if status == "given":
        data |= {"time": "10:00", "dose_mg_per_kg": 0.5, "dosing_weight_kg": 64, "escort_confirmed": True, "ready_to_leave_at": "12:00",
                 "bp_pre": {"systolic": 128, "diastolic": 80, "pulse": 72}, "bp_40min": {"systolic": 142, "diastolic": 88},
                 "bp_discharge": {"systolic": 130, "diastolic": 82}}
    else:
        data["reason"] = "did not attend" if status == "missed" else "unwell with a chest infection"
    if score is not None and status != "missed":
        data["phq9"] = {"answers": phq9_answers(score)}
    return data | changes


def session(number: int, day: date, status: str = "given", score: int | None = 14, **changes: Any) -> TreatmentSession:
    return TreatmentSession.model_validate(session_data(number, day, status, score, **changes))


def visit(day: date, score: int, **changes: Any) -> FollowUpVisit:
    return FollowUpVisit.model_validate({"kind": "follow_up", "intake_record_id": INTAKE_ID, "date": day.isoformat(),
                                         "phq9": {"answers": phq9_answers(score)}, "recorded_by": "dr.okafor",
                                         "recorded_at": datetime.combine(day, time(15, 0)).isoformat()} | changes)


def given_series(days: list[date], scores: list[int]) -> list[TreatmentSession]:
    """Given sessions numbered 1, 2, ... with these pre-dose PHQ-9 totals."""
    return [session(n, day, score=score) for n, (day, score) in enumerate(zip(days, scores), start=1)]


def plan_for(protocol, intake=INTAKE, start: date = date(2026, 3, 9)):
    return make_plan(intake, protocol, start=start, today=date(2026, 3, 2))
