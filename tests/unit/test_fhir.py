"""FHIR R5 out and in: the Bundle of every example intake validates with ``fhir.resources``,
round-trips through the models with every reference resolving inside it, carries the LOINC
codes the EHR files scores and vitals under, and a PHQ-9 or GAD-7 answered elsewhere comes back
as a follow-up score only when it answers our Questionnaire."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from fhir.resources.bundle import Bundle
from fhir.resources.questionnaire import Questionnaire
from hypothesis import given, settings as hsettings, strategies as st

from ketatui.clinical.plan import make_plan
from ketatui.clinical.protocol import load_protocol
from ketatui.cli import main
from ketatui.course.records import parse_course_records
from ketatui.exchange.fhir_export import RECORD_ID_SYSTEM, intake_bundle
from ketatui.exchange.fhir_import import ResponseRefused, read_response
from ketatui.exchange.fhir_questionnaires import GAD7_Q, INSTRUMENTS, PHQ9_Q, questionnaire, questionnaire_json, response, shipped
from ketatui.intake.document import parse_intake
from ketatui.intake.instruments import GAD7, PHQ9

import builders

COURSE = builders.EXAMPLES / "course"
FHIR = builders.EXAMPLES / "fhir"


def _bundle_for(doc: dict, course=()) -> Bundle:
    intake = parse_intake(doc)
    plan = make_plan(intake, load_protocol(None)) if not intake.missing_sections() else None
    return intake_bundle(dict(doc, created_at="2027-01-04T09:30:00+00:00"), intake, plan, course)


def _round_trip(bundle: Bundle) -> Bundle:
    again = Bundle.model_validate_json(bundle.model_dump_json(exclude_none=True))
    assert again.model_dump(exclude_none=True) == bundle.model_dump(exclude_none=True)
    return again


def _references(value) -> list[str]:
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [r for v in value.values() for r in _references(v)]
    if isinstance(value, list):
        return [r for v in value for r in _references(v)]
    return []


def _codes(resource) -> set[str]:
    return {c.code for c in (resource.code.coding or [])} if getattr(resource, "code", None) is not None and hasattr(resource.code, "coding") else set()


@pytest.mark.parametrize("name", sorted(p.name for p in builders.EXAMPLES.glob("*.json")))
def test_each_example_intake_becomes_a_valid_bundle_whose_references_resolve(name):
    doc = json.loads((builders.EXAMPLES / name).read_text())
    bundle = _round_trip(_bundle_for(doc))
    urls = {e.fullUrl for e in bundle.entry}
    assert len(urls) == len(bundle.entry)
    assert set(_references(json.loads(bundle.model_dump_json()))) <= urls  # every reference is inside the bundle

    kinds = Counter(e.resource.get_resource_type() for e in bundle.entry)
    intake = parse_intake(doc)
    plan = make_plan(intake, load_protocol(None))
    assert kinds["Patient"] == 1 and kinds["CarePlan"] == 1
    assert kinds["QuestionnaireResponse"] == sum(x is not None for x in (intake.phq9, intake.gad7, intake.asq))
    assert kinds["MedicationStatement"] == len(intake.medications.items)
    assert kinds["DetectedIssue"] == len(plan.flags)
    assert kinds["ServiceRequest"] == len(plan.schedule)

    resources = [e.resource for e in bundle.entry]
    patient = resources[0]
    assert patient.identifier[0].system == RECORD_ID_SYSTEM and patient.identifier[0].value == doc["record_id"]
    assert patient.birthDate.isoformat() == doc["medical_history"]["demographics"]["date_of_birth"]
    totals = {next(iter(_codes(r))): r.valueInteger for r in resources if r.get_resource_type() == "Observation" and r.valueInteger is not None}
    assert totals == {"44261-6": intake.phq9.total, "70274-6": intake.gad7.total}
    (bp,) = [r for r in resources if r.get_resource_type() == "Observation" and "85354-9" in _codes(r)]
    assert [(c.code.coding[0].code, c.valueQuantity.value) for c in bp.component] == [
        ("8480-6", intake.medical_history.vitals.systolic_bp), ("8462-4", intake.medical_history.vitals.diastolic_bp)]
    (pulse,) = [r for r in resources if r.get_resource_type() == "Observation" and "8867-4" in _codes(r)]
    assert pulse.valueQuantity.value == intake.medical_history.vitals.pulse
    for issue, flag in zip([r for r in resources if r.get_resource_type() == "DetectedIssue"], plan.flags):
        assert issue.detail == flag.reason and issue.code.coding[0].code == flag.code
    names = {r.medication.concept.text for r in resources if r.get_resource_type() == "MedicationStatement"}
    assert names == {m.name for m in intake.medications.items}


def test_the_course_brings_a_score_at_every_date_sessions_as_procedures_and_bp_readings():
    doc = json.loads((COURSE / "intake.json").read_text())
    course = parse_course_records((COURSE / "sessions.json").read_text())
    bundle = _round_trip(_bundle_for(doc, course))
    resources = [e.resource for e in bundle.entry]
    phq_dates = sorted(str(r.effectiveDateTime)[:10] for r in resources
                       if r.get_resource_type() == "Observation" and "44261-6" in _codes(r))
    assert phq_dates == sorted(["2027-01-04", *(str(s.date) for s in course if s.phq9 is not None)])
    procedures = [r for r in resources if r.get_resource_type() == "Procedure"]
    assert [p.status for p in procedures] == ["completed" if s.status == "given" else "not-done" for s in course]
    (plan,) = [r for r in resources if r.get_resource_type() == "CarePlan"]
    performed = [a.performedActivity[0].reference.reference for a in plan.activity if a.performedActivity]
    assert performed == [f"urn:uuid:{p.id}" for p in procedures]
    readings = sum(bool(s.bp_pre) + bool(s.bp_40min) + bool(s.bp_discharge) for s in course) + 1
    assert sum("85354-9" in _codes(r) for r in resources if r.get_resource_type() == "Observation") == readings
    for qr in (r for r in resources if r.get_resource_type() == "QuestionnaireResponse"):
        key = qr.questionnaire.split("/")[-1].split("|")[0]
        asked = {i["linkId"] for i in shipped(INSTRUMENTS[key])["item"][0]["item"]}
        assert {i.linkId for i in qr.item[0].item} <= asked


def test_the_shipped_questionnaires_and_the_example_bundle_are_current_and_valid():
    for instrument in INSTRUMENTS.values():
        built = questionnaire_json(instrument)
        assert json.loads(built) == shipped(instrument)
        assert (FHIR / f"Questionnaire-{instrument.key}.json").read_text() == built
        Questionnaire.model_validate_json(built)
    example = Bundle.model_validate_json((FHIR / "bundle-course-example.json").read_text())
    assert {e.resource.get_resource_type() for e in example.entry} >= {
        "Patient", "QuestionnaireResponse", "Observation", "MedicationStatement", "CarePlan", "Procedure", "ServiceRequest"}
    assert PHQ9_Q.url == questionnaire(PHQ9_Q).url == "https://ketatui.org/fhir/Questionnaire/phq-9"


def _qr_json(instrument, answers, **changes) -> str:
    from fhir.resources.identifier import Identifier
    from fhir.resources.reference import Reference

    subject = Reference(identifier=Identifier(system=RECORD_ID_SYSTEM, value="3d8a7c52-1e4b-4f6a-9c0d-7b2e5f8a9c10"))
    data = json.loads(response(instrument, answers, rid="portal-1", subject=subject, authored="2027-03-20T08:00:00+01:00").model_dump_json(exclude_none=True))
    data.update(changes)
    return json.dumps(data)


@hsettings(max_examples=40, deadline=None)
@given(answers=st.lists(st.integers(0, 3), min_size=9, max_size=9), difficulty=st.none() | st.integers(0, 3))
def test_any_phq9_answered_elsewhere_reads_back_as_given(answers, difficulty):
    score = read_response(_qr_json(PHQ9_Q, PHQ9(answers=answers, difficulty=difficulty)))
    assert score.instrument is PHQ9_Q and score.answers["answers"] == answers and score.answers.get("difficulty") == difficulty
    assert str(score.day) == "2027-03-20" and score.record_id == "3d8a7c52-1e4b-4f6a-9c0d-7b2e5f8a9c10"


def test_a_response_that_does_not_match_our_questionnaire_is_refused_with_the_reason():
    good = json.loads(_qr_json(GAD7_Q, GAD7(answers=[1] * 7)))
    assert read_response(json.dumps(good)).answers == {"answers": [1] * 7}
    cases = {
        "http://example.org/Questionnaire/phq-9": "not our PHQ-9",
        f"{PHQ9_Q.url}|0.9": "version 0.9",
    }
    for url, reason in cases.items():
        with pytest.raises(ResponseRefused, match=reason):
            read_response(json.dumps(dict(good, questionnaire=url)))
    with pytest.raises(ResponseRefused, match="status is in-progress"):
        read_response(json.dumps(dict(good, status="in-progress")))
    missing = json.loads(json.dumps(good))
    del missing["item"][0]["item"][3]
    with pytest.raises(ResponseRefused, match="question gad7-4 of the Generalized Anxiety .* not answered"):
        read_response(json.dumps(missing))
    odd = json.loads(json.dumps(good))
    odd["item"][0]["item"][0]["answer"][0]["valueCoding"]["code"] = "LA9999-9"
    with pytest.raises(ResponseRefused, match=r"item gad7-1 \(question 1\): the answer http://loinc.org\|LA9999-9 is not one of ours"):
        read_response(json.dumps(odd))
    with pytest.raises(ResponseRefused, match="not a valid FHIR R5 QuestionnaireResponse"):
        read_response(json.dumps(dict(good, authored="yesterday morning")))
    with pytest.raises(ResponseRefused, match="not a FHIR QuestionnaireResponse"):
        read_response(json.dumps({"resourceType": "Patient"}))


def test_export_and_import_through_the_commands(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KETATUI_USER", "dr.lee")
    store = ["--data-dir", str(tmp_path / "store"), "--key-file", str(tmp_path / "store.key")]
    assert main(["records", "import", str(COURSE / "intake.json"), *store]) == 0
    out = tmp_path / "bundle.json"
    assert main(["records", "export", "3d8a7c52", "--format", "fhir", "--output", str(out), *store]) == 0
    assert "Wrote a FHIR R5 Bundle" in capsys.readouterr().out
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    Bundle.model_validate_json(out.read_text())

    phq = tmp_path / "phq.json"
    phq.write_text(_qr_json(PHQ9_Q, PHQ9(answers=[1, 1, 1, 1, 0, 0, 0, 0, 0], difficulty=1)))
    gad = tmp_path / "gad.json"
    gad.write_text(_qr_json(GAD7_Q, GAD7(answers=[2] * 7)))
    assert main(["records", "import", "--format", "fhir", str(gad), *store]) == 2
    assert "Import the PHQ-9 of that day first" in capsys.readouterr().err
    assert main(["records", "import", "--format", "fhir", str(phq), *store]) == 0
    assert "Added the PHQ-9 of 2027-03-20 (total 4)" in capsys.readouterr().out
    assert main(["records", "import", "--format", "fhir", str(gad), *store]) == 0
    assert "Added the GAD-7 of 2027-03-20 (total 14)" in capsys.readouterr().out

    assert main(["records", "export", "3d8a7c52", "--output", str(out), *store]) == 0
    bundle = Bundle.model_validate_json(out.read_text())
    totals = sorted((str(r.effectiveDateTime)[:10], r.code.coding[0].code, r.valueInteger) for r in (e.resource for e in bundle.entry)
                    if r.get_resource_type() == "Observation" and r.valueInteger is not None)
    assert ("2027-03-20", "44261-6", 4) in totals and ("2027-03-20", "70274-6", 14) in totals

    bad = tmp_path / "other.json"
    bad.write_text(json.dumps(dict(json.loads(phq.read_text()), questionnaire="http://loinc.org/q/44249-1")))
    assert main(["records", "import", "--format", "fhir", str(bad), *store]) == 2
    assert "not our PHQ-9" in capsys.readouterr().err
