"""Current medications: suggestions and live flags as a name is typed, rows added and removed,
validation messages beside the row, and answers restored."""

from __future__ import annotations


import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Input, Static

from ketatui.clinical.catalogue import Catalogue

from ketatui.intake.document import Intake
from ketatui.clinical.protocol import default_protocol
from ketatui.screens.medications import WHY_AFTER_SECONDS, MedicationRow, MedicationsStep, fit_names
from step_host import Host, Shell, steady
from ketatui.screens.widgets import YesBox


def host(intake: Intake | None = None) -> tuple[Host, MedicationsStep]:
    step = MedicationsStep(intake or Intake(), default_protocol())
    return Host(step), step


def status(row: MedicationRow) -> str:
    return str(row.query_one(".med-status", Static).render())


def problem(row: MedicationRow) -> str:
    return str(row.query_one(".med-problem", Static).render())


async def type_name(pilot, row: MedicationRow, text: str) -> None:
    row.field("name").focus()
    await pilot.press(*text)
    await pilot.pause()


async def test_first_name_box_has_focus_and_row_keys_are_in_the_footer():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused is step.rows()[0].field("name")
        ids = {binding.id for binding in MedicationsStep.BINDINGS}
        assert ids == {"medications.add_row", "medications.remove_row"}
        shown = {b.binding.description for b in step.active_bindings.values() if b.binding.show}
        assert {"Add medication", "Remove row"} <= shown


async def test_xanax_shows_the_benzodiazepine_flag_beside_the_row():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.rows()[0]
        await type_name(pilot, row, "Xanax 0.5mg")
        words = status(row)
        assert "Xanax = alprazolam" in words
        assert "REVIEW" in words and "INT-BENZODIAZEPINE" in words
        # Why it matters is shown while the row is being worked on, once typing pauses.
        await pilot.pause(WHY_AFTER_SECONDS + 0.1)
        assert "Xanax 0.5mg (alprazolam): can blunt the antidepressant response" in str(row.query_one(".med-why", Static).render())
        assert row.has_class("-has-why", "-active")


async def test_a_typo_is_still_recognised_and_says_so():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.rows()[0]
        await type_name(pilot, row, "alprazolm")
        assert "read as alprazolam (close spelling: check)" in status(row)
        assert "INT-BENZODIAZEPINE" in status(row)


async def test_an_unknown_name_is_marked_for_the_clinician_and_kept_as_typed():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.rows()[0]
        await type_name(pilot, row, "Zzzfoo")
        await pilot.press("tab", *"10 mg")
        assert "Not recognised — clinician to check" in status(row)
        result = step.collect()
        assert result.valid
        assert [(m.name, m.dose) for m in result.sections["medications"].items] == [("Zzzfoo", "10 mg")]


async def test_recognition_follows_every_keystroke_and_clears_with_the_name():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.rows()[0]
        await type_name(pilot, row, "Xanax")
        assert "INT-BENZODIAZEPINE" in status(row)
        await pilot.press(*["backspace"] * 5)
        assert status(row) == ""
        assert not row.has_class("-has-status")


async def test_typing_mounts_nothing_new():
    """Per keystroke the screen updates two labels; it never builds widgets (the repaint budget)."""
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        before = len(list(step.query("*")))
        await type_name(pilot, step.rows()[0], "Xanax 0.5mg alprazolm")
        assert len(list(step.query("*"))) == before


async def test_the_right_arrow_takes_the_catalogue_suggestion():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.rows()[0]
        await type_name(pilot, row, "sertr")
        await pilot.pause()
        assert row.field("name")._suggestion == "sertraline"
        await pilot.press("right")
        assert row.field("name").value == "sertraline"
        assert "Recognised: sertraline" in status(row)


async def test_close_names_are_offered_under_an_unrecognised_name():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.rows()[0]
        await type_name(pilot, row, "Xan")
        assert "close names: Xanax, Xanax XR" in status(row)


async def test_add_and_remove_rows_by_keyboard():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"Xanax", "ctrl+n")
        await pilot.pause()
        assert len(step.rows()) == 2
        assert app.focused is step.rows()[1].field("name")
        await pilot.press(*"lamotrigine", "ctrl+n", *"Zzzfoo")
        await pilot.pause()
        assert [r.field("name").value for r in step.rows()] == ["Xanax", "lamotrigine", "Zzzfoo"]
        step.rows()[1].field("dose").focus()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [r.field("name").value for r in step.rows()] == ["Xanax", "Zzzfoo"]
        assert app.focused is step.rows()[1].field("name")
        # Removing the only row leaves one empty row to type in.
        await pilot.press("ctrl+r")
        await pilot.pause()
        step.rows()[0].field("name").focus()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [r.field("name").value for r in step.rows()] == [""]


async def test_the_add_button_adds_a_row():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        step.query_one("#add-row").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert len(step.rows()) == 2


async def test_a_row_without_a_name_gets_the_models_message_beside_it():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"sertraline", "ctrl+n", "tab", *"20 mg")
        await pilot.pause()
        result = step.collect()
        assert not result.valid
        assert [(p.path, p.message) for p in result.problems] == [("medications.items[1].name", "this is required")]
        step.show_problems(result.problems)
        await pilot.pause()
        first, second = step.rows()
        assert problem(second) == "! Medication name: this is required"
        assert second.query_one(".med-problem").display
        assert not first.query_one(".med-problem").display
        # Half-typed answers are kept for the draft even though they do not validate.
        assert result.form_state["rows"][1]["dose"] == "20 mg"


async def test_blank_rows_are_not_medications_and_problems_follow_the_filled_rows():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n", "tab", *"5 mg")  # row 1 blank, row 2 has a dose only
        await pilot.pause()
        result = step.collect()
        assert [p.path for p in result.problems] == ["medications.items[0].name"]
        step.show_problems(result.problems)
        await pilot.pause()
        blank, dose_only = step.rows()
        assert problem(blank) == ""
        assert problem(dose_only) == "! Medication name: this is required"


async def test_takes_no_medications_conflicts_with_listed_rows():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"sertraline")
        step.query_one("#none-taken", YesBox).value = True
        result = step.collect()
        assert not result.valid and result.problems[0].path == "medications"
        step.show_problems(result.problems)
        await pilot.pause()
        top = step.query_one("#med-top-problem", Static)
        assert top.display
        assert "'Takes no medications' is ticked but medications are listed" in str(top.render())
        # With the rows cleared it is a valid answer: no medications at all.
        await pilot.press("ctrl+r")
        result = step.collect()
        assert result.valid and result.sections["medications"].none_taken
        step.show_problems(result.problems)
        await pilot.pause()
        assert not top.display


async def test_the_none_box_is_reached_by_keyboard_and_says_its_state_in_text():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("shift+tab")
        box = step.query_one("#none-taken", YesBox)
        assert app.focused is box
        await pilot.press("space")
        assert box.value
        assert "[X]" in str(box.render())


async def test_restores_the_saved_section_with_its_flags(make_intake):
    intake = make_intake(medications={"items": [
        {"name": "Xanax", "dose": "0.5 mg", "how_often": "at night", "reason": "sleep"},
        {"name": "lamotrigine", "dose": "100 mg"},
    ]})
    app, step = host(intake)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows = step.rows()
        assert [r.values() for r in rows] == [
            {"name": "Xanax", "dose": "0.5 mg", "how_often": "at night", "reason": "sleep"},
            {"name": "lamotrigine", "dose": "100 mg", "how_often": "", "reason": ""},
        ]
        assert "INT-BENZODIAZEPINE" in status(rows[0])
        assert "INT-LAMOTRIGINE" in status(rows[1])
        assert step.collect().sections["medications"] == intake.medications


async def test_half_typed_answers_win_over_the_saved_section(make_intake):
    intake = make_intake()
    intake.form_state["medications"] = {"none_taken": False, "rows": [{"name": "", "dose": "5 mg", "how_often": "", "reason": ""}]}
    app, step = host(intake)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert [r.values()["dose"] for r in step.rows()] == ["5 mg"]


async def test_leaving_a_field_tells_the_app_to_save_the_draft():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"Xanax", "tab", "tab")
        await pilot.pause()
        assert app.fields_left >= 2


async def test_the_row_fits_80_columns():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.rows()[0]
        assert max(box.region.right for box in row.query(Input)) <= 80
        assert step.query_one("#med-body").max_scroll_x == 0


@pytest.mark.parametrize("theme", ["default", "high-contrast"])
def test_snapshot_recognised_typo_and_unknown(snap_compare, theme):
    """Xanax (brand), alprazolm (typo) and Zzzfoo (unknown, judged once its name is left) at 80x24;
    the cursor row shows why."""

    async def type_three(pilot) -> None:
        await steady(pilot)
        await pilot.press(*"Xanax 0.5mg", "tab", *"0.5 mg", "ctrl+n", *"alprazolm", "ctrl+n", *"Zzzfoo", "tab")
        await steady(pilot)  # the rows added since have cursors too
        await pilot.pause(WHY_AFTER_SECONDS + 0.2)  # the reasons are drawn once typing pauses

    intake = Intake(current_step="medications")
    assert snap_compare(Shell(intake, theme), terminal_size=(80, 24), run_before=type_three)


async def test_removing_a_row_says_which_one_went():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"sertraline", "ctrl+r")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["Removed sertraline."]


async def test_a_row_added_below_the_screen_is_scrolled_into_view(make_intake):
    names = ["Xanax", "lamotrigine", "sertraline", "Adderall XR", "oxycodone", "zolpidem"]
    app, step = host(make_intake(medications={"items": [{"name": n} for n in names]}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+n")  # straight away, before the restored rows have settled
        await pilot.pause()
        new = step.rows()[-1]
        assert app.focused is new.field("name")
        assert step.query_one("#med-body").scrollable_content_region.contains_region(new.field("name").region)


async def test_an_untouched_step_is_not_read_as_no_medications():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        result = step.collect()
        assert not result.valid and "medications" not in result.sections
        step.show_problems(result.problems)
        await pilot.pause()
        top = step.query_one("#med-top-problem", Static)
        assert top.display
        assert "list each medication taken, or tick 'Takes no medications'" in str(top.render())
        step.query_one("#none-taken", YesBox).value = True
        result = step.collect()
        assert result.valid and result.sections["medications"].none_taken


async def test_a_line_with_two_medicines_shows_what_each_was_read_as_and_flags_the_benzodiazepine():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.rows()[0]
        await type_name(pilot, row, "Lexapro 10 and klonopin 0.5 prn")
        await pilot.press("tab")
        lines = status(row).splitlines()
        assert lines[:3] == [
            "2 medicines on this line:",
            " Lexapro 10 → Lexapro = escitalopram · SSRI antidepressant",
            " klonopin 0.5 prn → Klonopin = clonazepam · benzodiazepine",
        ]
        assert "REVIEW  INT-BENZODIAZEPINE Benzodiazepine" in lines[3]


async def test_ketamine_already_taken_is_flagged_on_the_row():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.rows()[0]
        await type_name(pilot, row, "spravato 84mg")
        words = status(row)
        assert "spravato = esketamine" in words.lower()
        assert "REVIEW  MED-KETAMINE Already taking ketamine or esketamine" in words


async def test_a_half_typed_name_is_not_called_unrecognised_until_the_field_is_left():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.rows()[0]
        for typed in ("Z", "Zo", "Zol"):
            await type_name(pilot, row, typed[-1])
            assert "MED-UNRECOGNISED" not in status(row) and "Not recognised" not in status(row)
        assert status(row).startswith("close names: Zoloft, zolpidem")
        await pilot.press("tab")
        assert "MED-UNRECOGNISED" in status(row)
        assert status(row).startswith("Not recognised — clinician to check · close names: Zoloft")


async def test_close_names_are_whole_and_fit_80_columns():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.rows()[0]
        await type_name(pilot, row, "Zol")
        label = row.query_one(".med-status", Static)
        names = status(row).removeprefix("close names: ").split(", ")
        assert len(names) >= 2 and "…" not in status(row)
        assert all(step.catalogue.find(name) is not None for name in names)  # each one a whole catalogue name
        assert len(status(row)) <= label.content_size.width
        await pilot.press("tab")
        assert "…" not in status(row) and max(map(len, status(row).splitlines())) <= label.content_size.width


async def test_the_last_medicine_on_a_line_is_completed():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.rows()[0]
        await type_name(pilot, row, "Zoloft, xan")
        await pilot.pause()
        await pilot.press("right")
        assert row.field("name").value == "Zoloft, xanax"
        assert "INT-BENZODIAZEPINE" in status(row)


async def test_a_long_line_of_medicines_keeps_every_reading_whole():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.rows()[0]
        await type_name(pilot, row, "alprazolm 0.5 mg when anxious before flights and at night, ketamine troches from an online clinic")
        await pilot.press("tab")
        lines = status(row).splitlines()
        width = row.query_one(".med-status", Static).content_size.width
        assert lines[1] == " 1. → read as alprazolam (close spelling: check) · benzodiazepine"
        assert lines[2] == " ketamine troches from an online clinic → ketamine"  # its class does not fit: left out, not cut
        assert "…" not in status(row) and max(map(len, lines)) <= width


async def test_a_long_answer_shows_its_start_once_left_and_its_cursor_when_back():
    app, step = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = step.rows()[0]
        await type_name(pilot, row, "zoloft")
        await pilot.press("tab", *"50mg, then 0.5mg", "tab")
        dose = row.field("dose")
        assert dose.scroll_offset.x == 0  # "50mg, th…" rather than "…n 0.5mg"
        await pilot.press("shift+tab")
        assert dose.scroll_offset.x > 0 and dose.cursor_position == len("50mg, then 0.5mg")
        await pilot.press(*" prn")
        assert dose.value == "50mg, then 0.5mg prn"


@given(st.lists(st.sampled_from(sorted({n for m in Catalogue.default().medicines for n in m.names})), max_size=8), st.integers(10, 90))
def test_fit_names_never_cuts_a_name_or_overflows(names: list[str], width: int) -> None:
    line = fit_names("close names: ", names, width)
    assert len(line) <= width
    if line:
        shown = line.removeprefix("close names: ").split(", ")
        assert shown == names[: len(shown)]
