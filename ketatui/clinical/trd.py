"""Treatment-resistant depression: which antidepressant trials count as adequate failures.

A trial counts when it was in the current episode, lasted at least the protocol's adequate
weeks, reached the protocol's minimum dose for that medicine (when one is set), and improved
symptoms by less than the protocol's threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketatui.clinical.catalogue import Catalogue
from ketatui.intake.history import AntidepressantTrial, PsychiatricHistory
from ketatui.clinical.protocol import Protocol


@dataclass(frozen=True)
class TrialVerdict:
    index: int
    trial: AntidepressantTrial
    counts: bool
    why: str


def judge_trials(history: PsychiatricHistory, protocol: Protocol, catalogue: Catalogue) -> list[TrialVerdict]:
    """Every trial with whether it counts towards TRD and a plain reason."""
    t = protocol.thresholds
    verdicts = []
    for index, trial in enumerate(history.antidepressant_trials):
        match = catalogue.match(trial.medicine)
        generic = match.medicine.generic if match else trial.medicine.strip().lower()
        minimum = protocol.adequate_dose_mg.get(generic)
        label = f"{trial.medicine} {trial.dose_mg_per_day:g} mg/day for {trial.weeks_at_dose} weeks, {trial.improvement_percent}% better"
        if trial.in_current_episode is None:
            verdict = TrialVerdict(index, trial, False, f"{label}: not answered whether it was in the current episode")
        elif trial.in_current_episode is False:
            verdict = TrialVerdict(index, trial, False, f"{label}: not in the current episode")
        elif trial.weeks_at_dose < t.adequate_trial_weeks:
            verdict = TrialVerdict(index, trial, False, f"{label}: shorter than {t.adequate_trial_weeks} weeks")
        elif minimum is not None and trial.dose_mg_per_day < minimum:
            verdict = TrialVerdict(index, trial, False, f"{label}: below the adequate dose of {minimum:g} mg/day")
        elif trial.improvement_percent >= t.failed_trial_improvement_below:
            verdict = TrialVerdict(index, trial, False, f"{label}: improved by {t.failed_trial_improvement_below}% or more")
        else:
            verdict = TrialVerdict(index, trial, True, f"{label}: adequate and failed")
        verdicts.append(verdict)
    return verdicts


def failed_adequate_trials(history: PsychiatricHistory, protocol: Protocol, catalogue: Catalogue) -> int:
    return sum(v.counts for v in judge_trials(history, protocol, catalogue))
