"""The medication catalogue (shipped data) and the matcher that reads what people type."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from importlib.resources import files

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ketatui.clinical.catalogue import Catalogue, MedicationMatch, Medicine, core_name

# The INT-* codes of the DESIGN.md flag table; the catalogue may use no other.
DESIGN_INT_CODES = {
    "INT-THEOPHYLLINE", "INT-BENZODIAZEPINE", "INT-LAMOTRIGINE", "INT-MAOI", "INT-STIMULANT",
    "INT-OPIOID", "INT-NALTREXONE", "INT-SEDATIVE", "INT-CYP3A4-INHIBITOR", "INT-CYP-INDUCER",
    "INT-THYROID", "INT-NMDA", "INT-ALCOHOL", "INT-CANNABIS",
    "MED-KETAMINE",  # not an interaction: ketamine or esketamine already being taken (README, The flags)
}

# Every INT code that is a medicine, with the medicines (generic or brand) that must raise it.
REQUIRED = {
    "INT-THEOPHYLLINE": ["theophylline", "aminophylline", "Uniphyllin"],
    "INT-BENZODIAZEPINE": [
        "alprazolam", "Xanax", "clonazepam", "Klonopin", "lorazepam", "Ativan", "diazepam", "Valium",
        "temazepam", "chlordiazepoxide", "clobazam", "midazolam", "oxazepam", "triazolam",
    ],
    "INT-LAMOTRIGINE": ["lamotrigine", "Lamictal", "Lamictal XR"],
    "INT-MAOI": [
        "phenelzine", "Nardil", "tranylcypromine", "Parnate", "isocarboxazid", "selegiline", "Emsam",
        "moclobemide", "rasagiline",
    ],
    "INT-STIMULANT": [
        "Adderall", "Adderall XR", "lisdexamfetamine", "Vyvanse", "dexmethylphenidate", "methylphenidate",
        "Ritalin", "Concerta", "modafinil", "armodafinil", "phentermine", "pseudoephedrine",
    ],
    "INT-OPIOID": [
        "oxycodone", "OxyContin", "hydrocodone", "Norco", "morphine", "codeine", "tramadol", "tapentadol",
        "fentanyl", "buprenorphine", "Suboxone", "methadone", "hydromorphone", "Percocet",
    ],
    "INT-NALTREXONE": ["naltrexone", "Vivitrol", "Contrave"],
    "INT-SEDATIVE": [
        "zolpidem", "Ambien", "zopiclone", "eszopiclone", "zaleplon", "diphenhydramine", "hydroxyzine",
        "promethazine", "doxylamine", "gabapentin", "pregabalin", "baclofen", "cyclobenzaprine",
        "tizanidine", "carisoprodol", "phenobarbital",
    ],
    "INT-CYP3A4-INHIBITOR": [
        "clarithromycin", "ketoconazole", "itraconazole", "voriconazole", "posaconazole", "ritonavir",
        "Paxlovid", "cobicistat", "nefazodone",
    ],
    "INT-CYP-INDUCER": [
        "rifampin", "rifampicin", "rifabutin", "carbamazepine", "Tegretol", "oxcarbazepine", "phenytoin",
        "phenobarbital", "St John's wort", "efavirenz", "modafinil",
    ],
    "INT-THYROID": ["levothyroxine", "Synthroid", "liothyronine", "Cytomel", "Armour Thyroid"],
    "INT-NMDA": ["memantine", "Namenda", "dextromethorphan", "Auvelity", "amantadine"],
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.default()


@pytest.fixture(scope="module")
def raw_entries() -> list[dict]:
    return json.loads(files("ketatui").joinpath("data/medications.json").read_text(encoding="utf-8"))


def med(generic: str, *brands: str, codes: tuple[str, ...] = ()) -> Medicine:
    return Medicine(generic=generic, brands=brands, drug_class="test class", groups=("other",), interactions=codes, source="a test source")


ALL_NAMES = sorted(name for m in Catalogue.default().medicines for name in m.names)


# --- the shipped data --------------------------------------------------------------------------


def test_catalogue_has_enough_entries(catalogue: Catalogue, raw_entries: list[dict]) -> None:
    assert len(raw_entries) >= 170
    assert len(catalogue.medicines) == len(raw_entries)


def test_every_entry_has_the_documented_shape(raw_entries: list[dict]) -> None:
    for entry in raw_entries:
        assert set(entry) == {"generic", "brands", "drug_class", "groups", "interactions", "source"}, entry
        assert isinstance(entry["brands"], list) and isinstance(entry["interactions"], list)
        assert entry["drug_class"].strip() and entry["groups"], entry["generic"]


def test_names_are_unique_across_medicines(catalogue: Catalogue) -> None:
    seen: dict[str, str] = {}
    for medicine in catalogue.medicines:
        for name in medicine.names:
            key = "".join(ch for ch in name.lower() if ch.isalnum())
            assert seen.setdefault(key, medicine.generic) == medicine.generic, (name, seen[key])


def test_only_design_codes_are_used(catalogue: Catalogue) -> None:
    used = {code for m in catalogue.medicines for code in m.interactions}
    assert used <= DESIGN_INT_CODES, used - DESIGN_INT_CODES


@pytest.mark.parametrize("code", sorted(REQUIRED))
def test_every_medicine_code_is_raised_by_its_medicines(catalogue: Catalogue, code: str) -> None:
    assert catalogue.with_interaction(code), code
    for name in REQUIRED[code]:
        medicine = catalogue.find(name)
        assert medicine is not None, f"{name} is not in the catalogue"
        assert code in medicine.interactions, f"{name} does not raise {code}"


def test_medicines_with_two_codes_list_both(catalogue: Catalogue) -> None:
    assert {"INT-STIMULANT", "INT-CYP-INDUCER"} <= set(catalogue.find("modafinil").interactions)
    assert {"INT-SEDATIVE", "INT-CYP-INDUCER"} <= set(catalogue.find("phenobarbital").interactions)


def test_group_coverage(catalogue: Catalogue) -> None:
    counts = Counter(group for m in catalogue.medicines for group in m.groups)
    assert counts["antidepressant"] >= 20
    assert counts["antipsychotic"] >= 12
    assert counts["mood stabiliser"] >= 4
    for group in ("anxiolytic", "hypnotic", "stimulant", "opioid", "other"):
        assert counts[group] >= 1, group


@pytest.mark.parametrize(
    "name",
    ["sertraline", "fluoxetine", "bupropion", "aripiprazole", "quetiapine", "clozapine", "lithium",
     "valproate", "Depakote", "lisinopril", "atorvastatin", "metformin", "omeprazole", "Microgynon",
     "ibuprofen", "paracetamol", "salbutamol"],
)
def test_ordinary_medicines_are_recognised(catalogue: Catalogue, name: str) -> None:
    assert catalogue.match(name) is not None


def test_ordinary_medicines_raise_no_interaction(catalogue: Catalogue) -> None:
    for name in ("sertraline", "lithium", "lisinopril", "metformin", "paracetamol"):
        assert catalogue.find(name).interactions == ()


def test_default_is_loaded_once(catalogue: Catalogue) -> None:
    assert Catalogue.default() is catalogue


# --- exact and brand matching ---------------------------------------------------------------------


def test_generic_name_matches_exactly(catalogue: Catalogue) -> None:
    match = catalogue.match("alprazolam")
    assert match == MedicationMatch(
        entered="alprazolam", medicine=catalogue.find("alprazolam"), matched_name="alprazolam",
        how="exact", distance=0,
    )


@pytest.mark.parametrize("text", ["Xanax", "XANAX", "xanax", "  Xanax  "])
def test_brand_maps_to_generic_in_any_case(catalogue: Catalogue, text: str) -> None:
    match = catalogue.match(text)
    assert match is not None
    assert (match.medicine.generic, match.matched_name, match.how, match.distance) == (
        "alprazolam", "Xanax", "brand", 0,
    )
    assert match.entered == text
    assert "INT-BENZODIAZEPINE" in match.medicine.interactions


@pytest.mark.parametrize(
    ("text", "generic", "name"),
    [
        ("Xanax 0.5mg bid", "alprazolam", "Xanax"),
        ("alprazolam ER 1 mg twice daily", "alprazolam", "alprazolam"),
        ("Xanax XR 2 mg at night", "alprazolam", "Xanax XR"),
        ("Adderall XR 20 mg", "amphetamine-dextroamphetamine", "Adderall XR"),
        ("sertraline 100mg od", "sertraline", "sertraline"),
        ("Lamictal 200 mg daily", "lamotrigine", "Lamictal"),
        ("levothyroxine 75 mcg qd", "levothyroxine", "levothyroxine"),
        ("Oramorph 5 ml prn", "morphine", "Oramorph"),
        ("lithium carbonate 400mg nocte", "lithium", "lithium"),
        ("St. Johns Wort 300mg tds", "St John's wort", "St John's wort"),
        ("st john's wort", "St John's wort", "St John's wort"),
        ("Armour Thyroid 60 mg", "desiccated thyroid", "Armour Thyroid"),
        ("Tylenol with Codeine #3", "acetaminophen-codeine", "Tylenol with Codeine"),
        ("Tylenol 500 mg", "acetaminophen", "Tylenol"),
        ("naltrexone/bupropion", "naltrexone-bupropion", "naltrexone-bupropion"),
        ("Toprol XL", "metoprolol", "Toprol-XL"),
        ("toprol-xl 50mg", "metoprolol", "Toprol-XL"),
        ("WellbutrinXL 300 mg", "bupropion", "Wellbutrin XL"),
        ("Theo-24 400mg", "theophylline", "Theo-24"),
        ("Xanax (alprazolam) 0.25 mg", "alprazolam", "Xanax"),
    ],
)
def test_dose_and_frequency_text_is_ignored(catalogue: Catalogue, text: str, generic: str, name: str) -> None:
    match = catalogue.match(text)
    assert match is not None, text
    assert (match.medicine.generic, match.matched_name, match.distance) == (generic, name, 0)


def test_longest_name_wins(catalogue: Catalogue) -> None:
    assert catalogue.match("Sudafed PE").medicine.generic == "phenylephrine"
    assert catalogue.match("Sudafed").medicine.generic == "pseudoephedrine"
    assert catalogue.match("Unisom SleepGels").medicine.generic == "diphenhydramine"
    assert catalogue.match("Unisom").medicine.generic == "doxylamine"


def test_find_is_exact_and_tolerant_of_case_spaces_and_hyphens(catalogue: Catalogue) -> None:
    metoprolol = catalogue.find("metoprolol")
    assert catalogue.find("TOPROL-XL") is metoprolol
    assert catalogue.find("toprol xl") is metoprolol
    assert catalogue.find("ToprolXL") is metoprolol
    assert catalogue.find("toprolx") is None
    assert catalogue.find("alprazolm") is None


def test_with_interaction_lists_catalogue_order(catalogue: Catalogue) -> None:
    assert [m.generic for m in catalogue.with_interaction("INT-LAMOTRIGINE")] == ["lamotrigine"]
    theophyllines = {m.generic for m in catalogue.with_interaction("INT-THEOPHYLLINE")}
    assert theophyllines == {"theophylline", "aminophylline"}
    assert catalogue.with_interaction("INT-NOT-A-CODE") == []


# --- typos ----------------------------------------------------------------------------------------


def test_design_example_all_give_benzodiazepine(catalogue: Catalogue) -> None:
    for text in ("Xanax", "alprazolam", "alprazolm"):
        assert "INT-BENZODIAZEPINE" in catalogue.match(text).medicine.interactions


def test_typo_of_long_generic(catalogue: Catalogue) -> None:
    one = catalogue.match("alprazolm")
    assert (one.medicine.generic, one.matched_name, one.how, one.distance) == ("alprazolam", "alprazolam", "typo", 1)
    two = catalogue.match("alprzolm")
    assert (two.medicine.generic, two.how, two.distance) == ("alprazolam", "typo", 2)
    assert catalogue.match("alprzlm") is None  # three edits


def test_typo_of_brand(catalogue: Catalogue) -> None:
    match = catalogue.match("Zolft 50mg")
    assert (match.medicine.generic, match.matched_name, match.how, match.distance) == ("sertraline", "Zoloft", "typo", 1)
    assert catalogue.match("Lamictl").medicine.generic == "lamotrigine"
    assert catalogue.match("lorazepan as needed").medicine.generic == "lorazepam"


BOUNDS = Catalogue([med("zolpidem"), med("lithium"), med("Xanax"), med("Soma")])


@pytest.mark.parametrize(
    ("text", "expected", "distance"),
    [
        ("zolpidm", "zolpidem", 1),      # 8 letters: one edit
        ("zolpdm", "zolpidem", 2),       # 8 letters: two edits
        ("zlpdm", None, 0),              # 8 letters: three edits
        ("lithum", "lithium", 1),        # 7 letters: one edit
        ("lthum", None, 0),              # 7 letters: two edits
        ("xanx", "Xanax", 1),            # 5 letters: one edit
        ("zanax", "Xanax", 1),
        ("zanex", None, 0),              # 5 letters: two edits
        ("somma", None, 0),              # 4 letters: never a typo
        ("sma", None, 0),
        ("soma", "Soma", 0),             # ... but exact still matches
    ],
)
def test_typo_distance_is_bounded_by_name_length(text: str, expected: str | None, distance: int) -> None:
    match = BOUNDS.match(text)
    if expected is None:
        assert match is None
    else:
        assert (match.medicine.generic, match.distance) == (expected, distance)
        assert match.how == ("typo" if distance else "exact")


def test_ambiguous_typo_is_refused() -> None:
    catalogue = Catalogue([med("clonazepam"), med("lorazepam"), med("clobazam")])
    assert catalogue.match("clorazepam") is None  # one edit from both clonazepam and lorazepam
    assert catalogue.match("clonazepan").medicine.generic == "clonazepam"


def test_ambiguous_typo_is_refused_in_the_shipped_catalogue(catalogue: Catalogue) -> None:
    assert catalogue.match("clorazepam") is None
    assert catalogue.match("scitalopram") is None  # citalopram or escitalopram
    assert catalogue.match("prednislone") is None  # prednisone or prednisolone


def test_two_names_of_one_medicine_are_not_a_tie() -> None:
    catalogue = Catalogue([med("venlafaxine", "Effexor", "Effexor XR"), med("sertraline")])
    assert catalogue.match("Efexor").medicine.generic == "venlafaxine"


def test_two_different_medicines_in_one_line_are_not_guessed(catalogue: Catalogue) -> None:
    assert catalogue.match("sertraline and clonazepam") is None
    assert catalogue.match("Zoloft 50mg, Xanax 0.5mg") is None
    assert catalogue.match("sertraline 50 mg and clonazpam") is None


@pytest.mark.parametrize(
    "text",
    ["", "   ", "none", "N/A", "Frobnicol 10mg", "vitamins", "medicine", "medicines", "thyroid",
     "Robitussin", "insulin", "0.5 mg bid", "???"],
)
def test_unknown_text_is_not_matched(catalogue: Catalogue, text: str) -> None:
    assert catalogue.match(text) is None


# --- core_name -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Xanax 0.5mg bid", "xanax"),
        ("alprazolam ER 1 mg twice daily", "alprazolam"),
        ("Adderall XR 20 mg", "adderall xr"),
        ("Zoloft XR 50 mg", "zoloft"),            # no such brand: the suffix goes
        ("Ritalin LA 10mg qd", "ritalin la"),
        ("quetiapine 25 mg at night", "quetiapine"),
        ("lorazepam 1mg as needed", "lorazepam"),
        ("diazepam 10mcg tid prn", "diazepam"),
        ("Oramorph 5 ml qhs", "oramorph"),
        ("venlafaxine XL 75mg OD", "venlafaxine"),
        ("zopiclone 7.5mg nocte", "zopiclone"),
        ("St. John's Wort, 300 mg", "st johns wort"),
        ("Theo-24 300 mg", "theo 24"),
        ("", ""),
    ],
)
def test_core_name(text: str, expected: str) -> None:
    assert core_name(text) == expected


# --- suggestions ---------------------------------------------------------------------------------------


def test_suggest_prefix_then_substring_then_typo() -> None:
    catalogue = Catalogue([
        med("lorazepam", "Ativan"), med("clorazepate", "Tranxene"), med("chlorpromazine"), med("sertraline"),
    ])
    assert catalogue.suggest("lora") == ["lorazepam", "clorazepate"]
    assert catalogue.suggest("LORA") == ["lorazepam", "clorazepate"]
    assert catalogue.suggest("lor") == ["lorazepam", "clorazepate", "chlorpromazine"]
    assert catalogue.suggest("lorazepan") == ["lorazepam", "clorazepate"]  # typo-close, nearest first
    assert catalogue.suggest("lor", limit=1) == ["lorazepam"]
    assert catalogue.suggest("ati") == ["Ativan"]
    assert catalogue.suggest("") == []
    assert catalogue.suggest("zzzz") == []


def test_suggest_on_the_shipped_catalogue(catalogue: Catalogue) -> None:
    found = catalogue.suggest("xan")
    assert found[:2] == ["Xanax", "Xanax XR"]
    assert catalogue.suggest("XAN") == found
    assert len(catalogue.suggest("a", limit=8)) == 8
    assert catalogue.suggest("alprazolm")[0] == "alprazolam"
    assert catalogue.suggest("Xanax 0.5")[:2] == ["Xanax", "Xanax XR"]

    ranked = catalogue.suggest("lor", limit=50)
    starts = [name.lower().startswith("lor") for name in ranked]
    assert starts[0] and starts == sorted(starts, reverse=True)  # every prefix match comes first
    assert all("lor" in name.lower() for name in ranked)


# --- construction ---------------------------------------------------------------------------------------


def test_a_name_used_by_two_medicines_is_refused() -> None:
    with pytest.raises(ValueError, match="same name"):
        Catalogue([med("alprazolam", "Xanax"), med("other", "XANAX")])


def test_medicine_validates_groups_and_codes() -> None:
    with pytest.raises(ValidationError):
        Medicine(generic="x", drug_class="c", groups=("painkiller",), source="a test source")
    with pytest.raises(ValidationError):
        Medicine(generic="x", drug_class="c", groups=("other",), interactions=("benzo",), source="a test source")
    with pytest.raises(ValidationError):
        med("x").generic = "y"  # frozen


def test_catalogue_module_does_not_import_textual() -> None:
    code = "import sys, ketatui.clinical.catalogue; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- properties --------------------------------------------------------------------------------------------

DOSES = st.tuples(
    st.one_of(st.integers(1, 2000).map(str), st.decimals("0.05", "99.5", places=2).map(str)),
    st.sampled_from(["mg", " mg", "mcg", " mcg", "ml", " ml", "%", " units", " IU", ""]),
    st.sampled_from(["", " bid", " tid", " qd", " qhs", " prn", " od", " bd", " daily", " twice daily",
                     " at night", " as needed", " BID PRN"]),
).map("".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_match_and_suggest_never_raise(text: str) -> None:
    catalogue = Catalogue.default()
    match = catalogue.match(text)
    assert match is None or match.entered == text
    found = catalogue.suggest(text)
    assert isinstance(found, list) and len(found) <= 8
    assert isinstance(core_name(text), str)


@settings(max_examples=400)
@given(st.sampled_from(ALL_NAMES), DOSES, st.sampled_from([str.lower, str.upper, str]))
def test_any_name_with_dose_text_matches_its_medicine(name: str, dose: str, case) -> None:
    catalogue = Catalogue.default()
    expected = catalogue.find(name)
    match = catalogue.match(f"{case(name)} {dose}")
    assert match is not None and match.medicine == expected
    assert match.how in ("exact", "brand") and match.distance == 0
