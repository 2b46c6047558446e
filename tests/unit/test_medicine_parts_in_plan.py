"""The plan keeps what each medicine on a line was read as, and the flags say which part raised them."""

from __future__ import annotations

from datetime import date

from ketatui.clinical.plan import Plan, make_plan
from ketatui.clinical.protocol import default_protocol


def plan_for(make_intake, *rows: dict) -> Plan:
    intake = make_intake({"medications.items": list(rows), "medications.none_taken": False})
    return make_plan(intake, default_protocol(), start=date(2026, 3, 2), today=date(2026, 3, 1))


def test_each_medicine_on_a_line_is_kept_with_its_reading(make_intake) -> None:
    plan = plan_for(make_intake, {"name": "Zoloft 50mg and xanax 0.5 mg prn", "how_often": "daily"}, {"name": "lisinopril"})
    line = plan.medications[0]
    assert line.entered == "Zoloft 50mg and xanax 0.5 mg prn" and line.how_often == "daily"
    assert [(p.entered, p.recognised_as, p.matched_name, p.how) for p in line.parts] == [
        ("Zoloft 50mg", "sertraline", "Zoloft", "brand"),
        ("xanax 0.5 mg prn", "alprazolam", "Xanax", "brand"),
    ]
    assert line.recognised_as == "sertraline + alprazolam"
    assert line.parts[1].interactions == ["INT-BENZODIAZEPINE"] and line.interactions == ["INT-BENZODIAZEPINE"]
    assert line.note.startswith("2 medicines on one line: 'Zoloft 50mg' recognised as sertraline")
    assert [p.recognised_as for p in plan.medications[1].parts] == ["lisinopril"]
    benzo = next(f for f in plan.flags if f.code == "INT-BENZODIAZEPINE")
    assert benzo.reason.startswith("xanax 0.5 mg prn (alprazolam):") and benzo.source_fields == ["medications.items[0].name"]
    # The stored record keeps the parts: they come back from JSON as they went in.
    assert Plan.model_validate_json(plan.model_dump_json()).medications[0].parts == line.parts


def test_an_unknown_part_is_kept_and_marked(make_intake) -> None:
    plan = plan_for(make_intake, {"name": "bupropion, Frobnicol 10 mg"})
    parts = plan.medications[0].parts
    assert [(p.entered, p.recognised_as) for p in parts] == [("bupropion", "bupropion"), ("Frobnicol 10 mg", None)]
    unknown = next(f for f in plan.flags if f.code == "MED-UNRECOGNISED")
    assert "'Frobnicol 10 mg' not recognised" in unknown.reason


def test_ketamine_already_taken_is_a_review_flag_that_says_so(make_intake) -> None:
    plan = plan_for(make_intake, {"name": "sertraline"}, {"name": "ketamine lozenges (online clinic)"}, {"name": "Spravato 56 mg"})
    flag = next(f for f in plan.flags if f.code == "MED-KETAMINE")
    assert flag.severity == "review" and flag.title == "Already taking ketamine or esketamine"
    assert flag.reason.startswith("ketamine lozenges (online clinic), Spravato 56 mg (esketamine): already being taken")
    assert "whatever the route" in flag.reason
    assert flag.source_fields == ["medications.items[1].name", "medications.items[2].name"]
    reviews = [f.code for f in plan.flags if f.severity == "review"]
    assert reviews[0] == "MED-KETAMINE"  # the clinic must know about it first


def test_a_plan_stored_before_parts_existed_still_loads(make_intake) -> None:
    stored = plan_for(make_intake, {"name": "Xanax"}).model_dump(mode="json")
    for medication in stored["medications"]:
        del medication["parts"]
    assert Plan.model_validate(stored).medications[0].parts == []


def test_the_markdown_export_says_what_each_medicine_on_a_line_was_read_as(make_intake) -> None:
    from ketatui.exchange.markdown import plan_markdown

    text = plan_markdown(plan_for(make_intake, {"name": "sertraline + Zorblax", "dose": "50 mg"}))
    assert ("- sertraline + Zorblax (50 mg): 2 medicines on one line: 'sertraline' recognised as sertraline; "
            "'Zorblax' not recognised — clinician to check") in text


def test_the_stored_document_carries_each_parts_reading(make_intake) -> None:
    from ketatui.session import derive

    intake = make_intake({"medications.items": [{"name": "Zoloft, Xanax"}], "medications.none_taken": False})
    derive(intake, default_protocol(), today=date(2026, 3, 1))
    stored = intake.model_dump(mode="json")["plan"]["medications"][0]["parts"]
    assert [(p["entered"], p["recognised_as"], p["how"]) for p in stored] == [
        ("Zoloft", "sertraline", "brand"), ("Xanax", "alprazolam", "brand"),
    ]
