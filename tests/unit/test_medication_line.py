"""Reading a medication line as people write it: several medicines on one line, each recognised."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketatui.clinical.catalogue import Catalogue


CATALOGUE = Catalogue.default()
ALL_NAMES = sorted(name for m in CATALOGUE.medicines for name in m.names)
SEPARATORS = [", ", " and ", " + ", " & ", "; ", " plus ", " AND ", ",", " +", "\n", " & also ", "/", " / "]


def read(text: str) -> list[tuple[str, str | None]]:
    return [(p.text, p.match.medicine.generic if p.match else None) for p in CATALOGUE.read_line(text)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("sertraline and alprazolam", [("sertraline", "sertraline"), ("alprazolam", "alprazolam")]),
        ("Zoloft, Xanax", [("Zoloft", "sertraline"), ("Xanax", "alprazolam")]),
        ("lisinopril + amlodipine", [("lisinopril", "lisinopril"), ("amlodipine", "amlodipine")]),
        ("xanax & zoloft", [("xanax", "alprazolam"), ("zoloft", "sertraline")]),
        ("zoloft 50mg and xanax 0.5 mg prn", [("zoloft 50mg", "sertraline"), ("xanax 0.5 mg prn", "alprazolam")]),
        ("Lexapro 10mg; Klonopin 0.5 prn", [("Lexapro 10mg", "escitalopram"), ("Klonopin 0.5 prn", "clonazepam")]),
        ("bupropion XL 150 + trazodone 50 at night", [("bupropion XL 150", "bupropion"), ("trazodone 50 at night", "trazodone")]),
        ("Wellbutrin plus Ativan when needed", [("Wellbutrin", "bupropion"), ("Ativan when needed", "lorazepam")]),
        ("lamictal lorazepam", [("lamictal", "lamotrigine"), ("lorazepam", "lorazepam")]),
        ("paroxetine 20,\nclonazepam 1 mg", [("paroxetine 20", "paroxetine"), ("clonazepam 1 mg", "clonazepam")]),
        ("lisinopril/Frobnicol", [("lisinopril", "lisinopril"), ("Frobnicol", None)]),
        ("Xanax (alprazolam) and Zoloft (sertraline)", [("Xanax (alprazolam)", "alprazolam"), ("Zoloft (sertraline)", "sertraline")]),
        ("vitamin d & fish oil", [("vitamin d", "cholecalciferol"), ("fish oil", "omega-3 fatty acids")]),
        ("Norco 10/325", [("Norco 10/325", "hydrocodone-acetaminophen")]),
        ("sertraline 50 mg/day", [("sertraline 50 mg/day", "sertraline")]),
        ("ketamine 0.5 mg/kg IV", [("ketamine 0.5 mg/kg IV", "ketamine")]),
        # One product whose name holds a joining word or mark stays whole.
        ("olanzapine and fluoxetine", [("olanzapine and fluoxetine", "olanzapine-fluoxetine")]),
        ("olanzapine + fluoxetine 6/25 mg", [("olanzapine + fluoxetine 6/25 mg", "olanzapine-fluoxetine")]),
        ("olanzapine/fluoxetine", [("olanzapine/fluoxetine", "olanzapine-fluoxetine")]),
        ("dextromethorphan-bupropion", [("dextromethorphan-bupropion", "dextromethorphan-bupropion")]),
        ("buprenorphine and naloxone 8/2", [("buprenorphine and naloxone 8/2", "buprenorphine-naloxone")]),
        ("Tylenol with Codeine #3 and Xanax", [("Tylenol with Codeine #3", "acetaminophen-codeine"), ("Xanax", "alprazolam")]),
        ("amlodipine & benazepril, citalopram", [("amlodipine & benazepril", "amlodipine-benazepril"), ("citalopram", "citalopram")]),
        # A dose, a note or a decimal comma is not another medicine.
        ("Xanax 0,5 mg", [("Xanax 0,5 mg", "alprazolam")]),
        ("Zoloft 50 mg, for mood", [("Zoloft 50 mg, for mood", "sertraline")]),
        ("clonazepam 0.5mg, 1-2 at bedtime", [("clonazepam 0.5mg, 1-2 at bedtime", "clonazepam")]),
        ("xanax as and when needed", [("xanax as and when needed", "alprazolam")]),
        ("2 tabs, zoloft xanax", [("2 tabs, zoloft", "sertraline"), ("xanax", "alprazolam")]),
        # An unknown medicine beside a known one is kept, and is not read as the known one.
        ("sertraline and Zorblax", [("sertraline", "sertraline"), ("Zorblax", None)]),
        ("", []),
        (" , and ; ", []),
    ],
)
def test_a_line_is_read_medicine_by_medicine(line: str, expected: list) -> None:
    assert read(line) == expected


@pytest.mark.parametrize(
    ("line", "generic"),
    [
        ("Spravato 84 mg twice weekly", "esketamine"),
        ("esketamine nasal spray", "esketamine"),
        ("ketamine troches from an online clinic", "ketamine"),
        ("Ketamine HCl 150mg lozenges", "ketamine"),
        ("IV ketamine every 2 weeks", "ketamine"),
        ("ketamine RDT 300 mg sublingual", "ketamine"),
        ("Ketalar", "ketamine"),
        ("special K on weekends", "ketamine"),  # its street name: the history asks about misuse too
        ("kava tea at night", "kava"),
        ("valerian root 500mg", "valerian"),
        ("St. John's Wort", "St John's wort"),
        ("5-HTP 100mg", "5-HTP"),
        ("SAM-e 400", "S-adenosylmethionine"),
        ("CBD gummies", "CBD oil"),
        ("kratom capsules", "kratom"),
        ("phenibut", "phenibut"),
        ("ashwagandha KSM-66", "ashwagandha"),
        ("L-tryptophan 1 g", "tryptophan"),
        ("Ginkgo biloba", "ginkgo"),
        ("melatonin 3mg", "melatonin"),
        ("tincture of opium", "opium tincture"),
    ],
)
def test_ketamine_and_supplements_as_people_write_them(line: str, generic: str) -> None:
    assert read(line) == [(line, generic)]


def test_a_herbal_tincture_is_read_as_the_herb_and_the_alcohol_it_is_made_in() -> None:
    assert read("passionflower tincture") == [("passionflower", "passionflower"), ("tincture", "herbal tincture")]


def test_a_whole_line_that_is_one_medicine_is_read_as_match_reads_it() -> None:
    for line in ["Xanax XR 1 mg", "alprazolm", "Adderall XR 20 mg"]:
        (part,) = CATALOGUE.read_line(f"  {line} ")
        assert part.text == line and part.match == CATALOGUE.match(f"  {line} ")


# --- properties ------------------------------------------------------------------------------------

LINE_TEXT = st.lists(
    st.sampled_from(list("abcdeknoxzAZ019 ,;+&-./'\n") + ["and", " and ", "plus ", "Xanax", "zoloft", "é", "İ", "ß"]),
    max_size=30,
).map("".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(LINE_TEXT)
def test_splitting_never_loses_text(line: str) -> None:
    """Parts are the line's own text, in order, and outside them are only joining marks and words."""
    parts = CATALOGUE.read_line(line)
    at = 0
    outside = []
    for part in parts:
        assert part.start >= at and part.text == line[part.start:part.end] and part.text.strip() == part.text
        outside.append(line[at:part.start])
        at = part.end
    outside.append(line[at:])
    leftover = re.sub(r"(?i)\b(?:and|plus)\b", "", " ".join(outside))
    assert not any(ch.isalnum() for ch in leftover), (line, parts)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(ALL_NAMES))
def test_every_catalogue_name_alone_is_still_one_medicine(name: str) -> None:
    (part,) = CATALOGUE.read_line(name)
    assert part.match is not None and part.match.medicine is CATALOGUE.find(name)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(ALL_NAMES), st.sampled_from(ALL_NAMES), st.sampled_from(SEPARATORS), st.sampled_from(["", " 50mg", " 0.5 mg prn", " 1 tab at night"]))
def test_two_joined_names_are_each_recognised(first: str, second: str, separator: str, dose: str) -> None:
    one, two = CATALOGUE.find(first), CATALOGUE.find(second)
    if one is two or CATALOGUE.find(f"{first} {second}") or CATALOGUE.find(f"{first} and {second}"):
        return  # the same medicine twice, or the two spell one combination product
    parts = CATALOGUE.read_line(f"{first}{dose}{separator}{second}{dose}")
    assert [p.match.medicine if p.match else None for p in parts] == [one, two], (first, second, parts)
