"""The dose on a treatment day: mg/kg times the dosing weight, by ideal body weight when BMI is high.

Sanacora 2017 suggests ideal body weight at a BMI of 30 or more (the protocol's ``bmi_high_from``);
the plan and every session use this one calculation so the numbers always agree.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ketatui.clinical.protocol import Protocol
from ketatui.intake.history import Demographics

CM_PER_INCH = 2.54
FIVE_FEET_CM = 152.4


class Dose(BaseModel):
    """One session's dose and how it was reached, in words a clinician can check."""

    model_config = ConfigDict(frozen=True)

    mg_per_kg: float
    weight_kg: float
    bmi: float
    ideal_body_weight_kg: float
    dosing_weight_kg: float
    basis: Literal["actual weight", "ideal body weight"]
    mg: float
    why: str


def dose_mg(mg_per_kg: float, weight_kg: float) -> float:
    """mg/kg × kg to one decimal, halves rounded up as a clinician would (0.5 × 56.9 = 28.5)."""
    exact = Decimal(str(mg_per_kg)) * Decimal(str(weight_kg))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def ideal_body_weight(height_cm: float, sex: str) -> tuple[float, str]:
    """Devine's formula: 50 kg (men) or 45.5 kg (women) plus 2.3 kg per inch over 5 feet.

    Below 5 feet the base weight is used. Without a stated sex the women's formula is used,
    the lower of the two, so the dose errs low; the second value says which was used.
    """
    base, which = (50.0, "men's") if sex == "male" else (45.5, "women's" if sex == "female" else "women's (lower; sex not stated as male or female)")
    inches_over = max(0.0, (height_cm - FIVE_FEET_CM) / CM_PER_INCH)
    return round(base + 2.3 * inches_over, 1), which


def dose_for(demographics: Demographics, mg_per_kg: float, protocol: Protocol) -> Dose:
    """The dose in mg for ``mg_per_kg``: ideal body weight at or above the protocol's BMI, never more than the actual weight."""
    bmi = demographics.bmi
    ibw, formula = ideal_body_weight(demographics.height_cm, demographics.sex)
    threshold = protocol.thresholds.bmi_high_from
    if bmi >= threshold and ibw < demographics.weight_kg:
        used, basis = ibw, "ideal body weight"
        why = f"BMI {bmi:g} is {threshold:g} or more, so the dose is by ideal body weight: {ibw:g} kg (Devine, {formula} formula) instead of {demographics.weight_kg:g} kg"
    else:
        used, basis = round(demographics.weight_kg, 1), "actual weight"
        why = f"BMI {bmi:g} is below {threshold:g}, so the dose is by the actual weight of {demographics.weight_kg:g} kg" if bmi < threshold else \
            f"BMI {bmi:g} is {threshold:g} or more, but the ideal body weight ({ibw:g} kg) is not below the actual weight, so {demographics.weight_kg:g} kg is used"
    mg = dose_mg(mg_per_kg, used)
    return Dose(mg_per_kg=mg_per_kg, weight_kg=demographics.weight_kg, bmi=bmi, ideal_body_weight_kg=ibw,
                dosing_weight_kg=used, basis=basis, mg=mg, why=f"{why}: {mg_per_kg:g} mg/kg × {used:g} kg = {mg:g} mg")
