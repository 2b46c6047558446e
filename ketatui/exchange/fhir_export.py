"""One intake, its plan and its course as a FHIR R5 Bundle, to hand the record to a hospital EHR.

Every resource is built with the ``fhir.resources`` R5 models, so it is validated as it is made:

* Patient (minimal: the record id as identifier, name, birth date, sex);
* a QuestionnaireResponse for each PHQ-9, GAD-7 and ASQ answered, at intake and at every
  session and follow-up visit, pointing at our Questionnaires (``fhir_questionnaires``);
* Observations: the PHQ-9 total (LOINC 44261-6) and GAD-7 total (70274-6) at every date, each
  derived from its response; blood pressure (panel 85354-9, systolic 8480-6, diastolic 8462-4)
  and pulse (heart rate 8867-4), at intake and at every reading of every session;
* a MedicationStatement for each medicine, as the person named it, with dose and how often;
* a DetectedIssue for each flag of the plan, with its reason and severity;
* a CarePlan for the plan (active once signed, else draft), each planned session a
  ServiceRequest it lists, each session given, held or missed a Procedure it lists as performed.

The Bundle is a ``collection``; entries are ``urn:uuid:`` full URLs, stable for a record (derived
from its record id), and every reference points inside the Bundle.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timezone
from typing import Any

from fhir.resources.bundle import Bundle, BundleEntry
from fhir.resources.careplan import CarePlan, CarePlanActivity
from fhir.resources.codeableconcept import CodeableConcept
from fhir.resources.codeablereference import CodeableReference
from fhir.resources.coding import Coding
from fhir.resources.detectedissue import DetectedIssue
from fhir.resources.dosage import Dosage
from fhir.resources.humanname import HumanName
from fhir.resources.identifier import Identifier
from fhir.resources.medicationstatement import MedicationStatement
from fhir.resources.observation import Observation, ObservationComponent
from fhir.resources.patient import Patient
from fhir.resources.procedure import Procedure
from fhir.resources.quantity import Quantity
from fhir.resources.reference import Reference
from fhir.resources.resource import Resource
from fhir.resources.servicerequest import ServiceRequest

from ketatui.clinical.plan import Plan
from ketatui.course.records import BloodPressure, FollowUpVisit, TreatmentSession
from ketatui.exchange.fhir_questionnaires import ASQ_Q, CANONICAL_BASE, GAD7_Q, LOINC, PHQ9_Q, Instrument, response
from ketatui.intake.document import Intake

RECORD_ID_SYSTEM = f"{CANONICAL_BASE}/record-id"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
UCUM = "http://unitsofmeasure.org"
PHQ9_TOTAL, GAD7_TOTAL = "44261-6", "70274-6"
BP_PANEL, SYSTOLIC, DIASTOLIC, HEART_RATE = "85354-9", "8480-6", "8462-4", "8867-4"
SEVERITY = {"urgent": "high", "stop": "high", "review": "moderate", "caution": "moderate", "info": "low"}
SEX = {"female": "female", "male": "male", "intersex": "other", "not stated": "unknown"}


class BundleMaker:
    """Collects resources for one record, each with a stable ``urn:uuid`` from the record id."""

    def __init__(self, record_id: str):
        self.record_id = record_id
        self.entries: list[BundleEntry] = []

    def rid(self, *key: object) -> str:
        return str(uuid.uuid5(uuid.UUID(self.record_id), "/".join(map(str, key))))

    def add(self, resource: Resource) -> Reference:
        url = f"urn:uuid:{resource.id}"
        self.entries.append(BundleEntry(fullUrl=url, resource=resource))
        return Reference(reference=url)

    def bundle(self, when: datetime) -> Bundle:
        return Bundle(id=self.rid("bundle"), type="collection", timestamp=when,
                      identifier=Identifier(system=RECORD_ID_SYSTEM, value=self.record_id), entry=self.entries)


def _concept(code: str, text: str, system: str = LOINC) -> CodeableConcept:
    return CodeableConcept(coding=[Coding(system=system, code=code, display=text)], text=text)


def _category(code: str) -> list[CodeableConcept]:
    return [CodeableConcept(coding=[Coding(system=OBSERVATION_CATEGORY, code=code)])]


def _moment(day: date, at: time | None = None) -> str:
    """A FHIR dateTime: the date alone, or with the time in this machine's zone (FHIR needs a zone)."""
    return datetime.combine(day, at).astimezone().isoformat(timespec="seconds") if at else day.isoformat()


def _stamp(value: Any) -> str:
    """A stored ISO time as a FHIR dateTime (a time without a zone is taken as this machine's)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (moment if moment.tzinfo else moment.astimezone()).isoformat(timespec="seconds")


def _score(maker: BundleMaker, subject: Reference, instrument: Instrument, code: str, total: int, when: str,
           derived: Reference, key: str) -> None:
    title = "PHQ-9 total score" if instrument is PHQ9_Q else "GAD-7 total score"
    maker.add(Observation(id=maker.rid("total", key), status="final", category=_category("survey"), code=_concept(code, title),
                          subject=subject, effectiveDateTime=when, valueInteger=total, derivedFrom=[derived]))


def _responses(maker: BundleMaker, subject: Reference, when: str, key: str, *, phq9: Any = None, gad7: Any = None, asq: Any = None) -> None:
    """A QuestionnaireResponse for each instrument answered, and the PHQ-9 and GAD-7 totals."""
    for instrument, answers, code in ((PHQ9_Q, phq9, PHQ9_TOTAL), (GAD7_Q, gad7, GAD7_TOTAL), (ASQ_Q, asq, None)):
        if answers is None:
            continue
        ref = maker.add(response(instrument, answers, rid=maker.rid(instrument.key, key), subject=subject, authored=when))
        if code is not None:
            _score(maker, subject, instrument, code, answers.total, when, ref, f"{instrument.key}/{key}")


def _vitals(maker: BundleMaker, subject: Reference, when: str, key: str, systolic: int, diastolic: int, pulse: int | None) -> None:
    def mmhg(value: int) -> Quantity:
        return Quantity(value=value, unit="mmHg", system=UCUM, code="mm[Hg]")

    maker.add(Observation(
        id=maker.rid("bp", key), status="final", category=_category("vital-signs"),
        code=_concept(BP_PANEL, "Blood pressure panel with all children optional"), subject=subject, effectiveDateTime=when,
        component=[ObservationComponent(code=_concept(SYSTOLIC, "Systolic blood pressure"), valueQuantity=mmhg(systolic)),
                   ObservationComponent(code=_concept(DIASTOLIC, "Diastolic blood pressure"), valueQuantity=mmhg(diastolic))]))
    if pulse is not None:
        maker.add(Observation(id=maker.rid("pulse", key), status="final", category=_category("vital-signs"),
                              code=_concept(HEART_RATE, "Heart rate"), subject=subject, effectiveDateTime=when,
                              valueQuantity=Quantity(value=pulse, unit="beats/minute", system=UCUM, code="/min")))


def _patient(maker: BundleMaker, intake: Intake) -> Reference:
    demo = intake.medical_history.demographics if intake.medical_history else None
    name = None
    if demo is not None:
        words = demo.full_name.split()
        name = [HumanName(text=demo.full_name, family=words[-1] if len(words) > 1 else None, given=words[:-1] or words)]
    return maker.add(Patient(id=maker.rid("patient"), identifier=[Identifier(system=RECORD_ID_SYSTEM, value=maker.record_id)],
                             name=name, birthDate=demo.date_of_birth if demo else None,
                             gender=SEX.get(demo.sex) if demo else None))


def _medications(maker: BundleMaker, subject: Reference, intake: Intake, when: str) -> None:
    for n, item in enumerate(intake.medications.items if intake.medications else []):
        dose = " ".join(part for part in (item.dose, item.how_often) if part)
        maker.add(MedicationStatement(
            id=maker.rid("medication", n), status="recorded", subject=subject, dateAsserted=when,
            medication=CodeableReference(concept=CodeableConcept(text=item.name)),
            dosage=[Dosage(text=dose)] if dose else None,
            reason=[CodeableReference(concept=CodeableConcept(text=item.reason))] if item.reason else None))


def _flags(maker: BundleMaker, subject: Reference, plan: Plan, when: str) -> None:
    for flag in plan.flags:
        maker.add(DetectedIssue(
            id=maker.rid("flag", flag.code), status="preliminary", subject=subject, identifiedDateTime=when,
            code=CodeableConcept(coding=[Coding(system=f"{CANONICAL_BASE}/CodeSystem/flag", code=flag.code, display=flag.title)], text=flag.title),
            severity=SEVERITY[flag.severity], detail=flag.reason))


def _session_bp(maker: BundleMaker, subject: Reference, s: TreatmentSession) -> None:
    for label, reading in (("pre", s.bp_pre), ("40min", s.bp_40min), ("discharge", s.bp_discharge)):
        if isinstance(reading, BloodPressure):
            _vitals(maker, subject, _moment(s.date, s.time), f"session/{s.record_id}/{label}", reading.systolic, reading.diastolic, reading.pulse)


def _care_plan(maker: BundleMaker, subject: Reference, intake: Intake, plan: Plan, doc: dict[str, Any],
               sessions: list[TreatmentSession]) -> None:
    activities = []
    route = plan.course.route_name
    for planned in plan.schedule:
        ref = maker.add(ServiceRequest(
            id=maker.rid("planned", planned.number), status="active" if doc.get("status") == "signed" else "draft",
            intent="plan", subject=subject, occurrenceDateTime=planned.date.isoformat(),
            code=CodeableReference(concept=CodeableConcept(text=f"Session {planned.number}: {route}")),
            note=[{"text": "Checks: " + "; ".join(planned.checks)}] if planned.checks else None))
        activities.append(CarePlanActivity(plannedActivityReference=ref))
    for s in sessions:
        done = {"given": "completed", "held": "not-done", "missed": "not-done"}.get(s.status, "unknown")
        dose = f", {s.dose_mg:g} mg" if s.dose_mg else ""
        ref = maker.add(Procedure(
            id=maker.rid("session", s.record_id), status=done, subject=subject, occurrenceDateTime=_moment(s.date, s.time),
            code=CodeableConcept(text=f"Session {s.number}: {route}{dose}"),
            statusReason=CodeableConcept(text=s.reason) if done == "not-done" and s.reason else None,
            note=[{"text": s.notes}] if s.notes else None))
        activities.append(CarePlanActivity(performedActivity=[CodeableReference(reference=ref)]))
    signed = doc.get("status") == "signed"
    maker.add(CarePlan(
        id=maker.rid("careplan"), status="active" if signed else "draft", intent="plan", subject=subject,
        title=f"Ketamine course: {plan.course.sessions} sessions, {route}",
        description="; ".join([f"{plan.course.sessions} sessions over about {plan.course.weeks} weeks",
                               *([plan.course.count_reason[:1].lower() + plan.course.count_reason[1:].rstrip(".")] if plan.course.count_reason else []),
                               *(a.reason for a in plan.course.adjustments)]),
        created=_stamp(doc["created_at"]) if doc.get("created_at") else None, activity=activities or None))


def intake_bundle(doc: dict[str, Any], intake: Intake, plan: Plan | None, course: Iterable[TreatmentSession | FollowUpVisit] = ()) -> Bundle:
    """The Bundle for one stored intake (``doc`` gives its id, status and times), its plan and course."""
    record_id = doc["record_id"]
    maker = BundleMaker(record_id)
    subject = _patient(maker, intake)
    when = _stamp(doc.get("created_at") or doc.get("signed_at") or datetime.now(timezone.utc))  # when it was answered
    _responses(maker, subject, when, "intake", phq9=intake.phq9, gad7=intake.gad7, asq=intake.asq)
    vitals = intake.medical_history.vitals if intake.medical_history else None
    if vitals is not None:
        _vitals(maker, subject, when, "intake", vitals.systolic_bp, vitals.diastolic_bp, vitals.pulse)
    _medications(maker, subject, intake, when)
    records = sorted(course, key=lambda r: (r.date, getattr(r, "number", 0)))
    for r in records:
        key = f"{r.kind}/{r.record_id}"
        stamp = _moment(r.date, getattr(r, "time", None))
        _responses(maker, subject, stamp, key, phq9=r.phq9, gad7=getattr(r, "gad7", None), asq=r.asq)
        if isinstance(r, TreatmentSession):
            _session_bp(maker, subject, r)
        elif r.bp is not None:
            _vitals(maker, subject, stamp, f"{key}/bp", r.bp.systolic, r.bp.diastolic, r.bp.pulse)
    if plan is not None:
        _flags(maker, subject, plan, when)
        _care_plan(maker, subject, intake, plan, doc, [r for r in records if isinstance(r, TreatmentSession)])
    return maker.bundle(datetime.now(timezone.utc))
