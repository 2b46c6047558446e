"""The catalogue's data: every entry says where its facts come from and uses known codes only;
supplements, herbal products and ketamine itself are in it with the code that matters."""

from __future__ import annotations

import json
from pathlib import Path
from importlib.resources import files

import pytest

from ketatui.clinical.catalogue import Catalogue
from ketatui.clinical.flags import FLAG_DEFINITIONS
from ketatui.clinical.rules import INTERACTION_REASONS

CATALOGUE = Catalogue.default()
RAW = json.loads(files("ketatui").joinpath("data/medications.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("entry", RAW, ids=[e["generic"] for e in RAW])
def test_every_entry_names_its_source_and_uses_known_codes(entry: dict) -> None:
    assert len(entry["source"].strip()) >= 8, f"{entry['generic']}: the source is missing"
    for code in entry["interactions"]:
        assert code in FLAG_DEFINITIONS, f"{entry['generic']}: {code} is not in the flag vocabulary"
        assert code in INTERACTION_REASONS, f"{entry['generic']}: {code} has no reason to show the clinician"


def test_every_code_the_catalogue_raises_is_written_up_in_the_docs() -> None:
    page = (Path(__file__).parents[2] / "docs" / "medications.md").read_text(encoding="utf-8")
    for code in {code for entry in RAW for code in entry["interactions"]} | {"MED-UNRECOGNISED"}:
        assert f"`{code}`" in page, code


# What a person may write -> the code it must raise (None: recognised, no interaction known).
SUPPLEMENTS = {
    "St John's wort": "INT-CYP-INDUCER", "Hypericum": "INT-CYP-INDUCER", "kava kava": "INT-SEDATIVE",
    "valerian root": "INT-SEDATIVE", "melatonin": "INT-SEDATIVE", "passion flower": "INT-SEDATIVE",
    "phenibut": "INT-SEDATIVE", "ashwagandha": "INT-SEDATIVE", "kratom": "INT-OPIOID", "ketum": "INT-OPIOID",
    "tianeptine": "INT-OPIOID", "CBD oil": "INT-CANNABIS", "CBD": "INT-CANNABIS", "delta-8 THC": "INT-CANNABIS",
    "medical marijuana": "INT-CANNABIS", "herbal tincture": "INT-ALCOHOL", "laudanum": "INT-OPIOID",
    "yohimbe": "INT-STIMULANT", "ephedra": "INT-STIMULANT", "bitter orange": "INT-STIMULANT",
    "5-HTP": None, "L-tryptophan": None, "SAMe": None, "Ginkgo biloba": None, "fish oil": None,
    "magnesium": None, "methylfolate": None, "vitamin B12": None, "multivitamin": None,
}


@pytest.mark.parametrize(("name", "code"), SUPPLEMENTS.items())
def test_supplements_and_herbal_products_carry_their_code(name: str, code: str | None) -> None:
    medicine = CATALOGUE.find(name)
    assert medicine is not None, f"{name} is not in the catalogue"
    if code is None:
        assert "no known" in medicine.drug_class
    else:
        assert code in medicine.interactions


@pytest.mark.parametrize("name", ["ketamine", "Ketalar", "Ketanest", "esketamine", "Spravato", "Ketanest S", "Special K"])
def test_ketamine_and_esketamine_by_any_name_raise_the_ketamine_code(name: str) -> None:
    assert CATALOGUE.find(name).interactions == ("MED-KETAMINE",)


def test_supplements_are_not_counted_as_antidepressant_trials() -> None:
    """SAMe or 5-HTP tried for mood is not an adequate antidepressant trial for TRD."""
    for name in ("SAMe", "5-HTP", "L-tryptophan", "methylfolate", "ashwagandha"):
        assert "antidepressant" not in CATALOGUE.find(name).groups
