"""What an amendment changed, in words: the answer's label as the forms show it, old → new."""

from __future__ import annotations

from ketatui.intake.changes import BLANK, changes
from ketatui.intake.document import Intake
from ketatui.intake.listing import listing


def test_a_changed_answer_is_named_by_its_form_label_with_old_and_new(make_data):
    old = make_data()
    new = make_data({"medical_history.vitals.systolic_bp": 150, "medical_history.demographics.full_name": "Jordan Ellis-Hart"})
    assert [str(c) for c in changes(old, new)] == [
        "Medical history › About the person › Full name: Jordan Ellis → Jordan Ellis-Hart",
        "Medical history › Intake blood pressure and pulse › Blood pressure, systolic (mmHg): 122 → 150",
    ]


def test_who_saved_and_when_is_not_a_change(make_data):
    old = make_data()
    new = dict(old, rev=7, updated_by="dr.kim", updated_at="2030-01-01T00:00:00+00:00", status="draft",
               amends_rev=6, current_step="summary", form_state={"summary": {"page": 1}})
    assert changes(old, new) == []


def test_rows_are_numbered_and_a_removed_row_reads_blank(make_data):
    old = make_data()
    new = make_data()
    new["medications"]["items"] = old["medications"]["items"][:1]
    assert [str(c) for c in changes(old, new)] == [
        "Current medications › Medication 2 › Medication name: atorvastatin → (blank)",
        "Current medications › Medication 2 › Dose: 20 mg → (blank)",
        "Current medications › Medication 2 › How often: at night → (blank)",
        "Current medications › Medication 2 › What it is for: cholesterol → (blank)",
    ]
    assert changes(new, old)[0].old == BLANK


def test_the_plan_parts_a_signature_stands_for_are_compared(make_data):
    old = dict(make_data(), plan={"schedulable": True, "course": {"sessions": 6}, "start_date": "2026-12-07"})
    new = dict(old, plan={"schedulable": True, "course": {"sessions": 8}, "start_date": "2026-12-07"})
    assert [str(c) for c in changes(old, new)] == ["Plan › Sessions planned: 6 → 8"]


def test_a_draft_is_listed_by_the_name_typed_before_its_page_validates(make_intake):
    typed = Intake(form_state={"medical_history": {"values": {"medical_history.demographics.full_name": " Robin Hale ",
                                                               "medical_history.demographics.date_of_birth": "1979-05-06"}}})
    assert listing(typed).full_name == "Robin Hale" and listing(typed).date_of_birth == "1979-05-06"
    complete = make_intake()
    assert listing(complete).full_name == complete.medical_history.demographics.full_name
    assert listing(Intake()).full_name is None
