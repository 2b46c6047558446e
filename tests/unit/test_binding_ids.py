"""Every key binding in every App, screen and widget has an id in the one scheme
``"<owner>.<action>"``, so a keymap in the settings file can move any key, and docs/keys.md lists
each one."""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from ketatui.screens.keys import BINDING_ID, binding_owners, keymap_problems, known_bindings, own_bindings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "keys.md"


def test_the_walk_finds_the_app_the_steps_the_dialogs_and_the_widgets() -> None:
    names = {owner.__name__ for owner in binding_owners()}
    assert {"MedicalHistoryStep", "MedicationsStep", "GoalsSupportStep", "HelpScreen", "CrisisScreen",
            "ExportDialog", "RecordsBrowser", "ChoiceRow", "TopicChecklist"} <= names
    assert any(issubclass(owner, App) for owner in binding_owners()), "the App's own keys are walked too"


def test_every_binding_has_an_id_in_the_scheme_unique_in_its_class() -> None:
    for owner in binding_owners():
        ids = [binding.id for binding in own_bindings(owner)]
        for binding in own_bindings(owner):
            assert binding.id, f"{owner.__name__}: the binding for {binding.key!r} ({binding.action}) has no id"
            assert BINDING_ID.fullmatch(binding.id), f"{owner.__name__}: {binding.id!r} is not '<owner>.<action>'"
        assert len(ids) == len(set(ids)), f"{owner.__name__}: an id is used twice: {ids}"


def test_each_class_has_one_owner_name_and_no_two_classes_share_one() -> None:
    """A keymap entry moves the key of one screen or widget, never another's by accident."""
    owner_of: dict[str, str] = {}
    for owner in binding_owners():
        prefixes = {binding.id.split(".")[0] for binding in own_bindings(owner)}
        assert len(prefixes) == 1, f"{owner.__name__} uses several owner names: {sorted(prefixes)}"
        prefix = prefixes.pop()
        assert owner_of.setdefault(prefix, owner.__name__) == owner.__name__, (
            f"'{prefix}' names both {owner_of[prefix]} and {owner.__name__}")


def test_an_unknown_id_is_named_with_the_close_ones() -> None:
    problems = keymap_problems({"medications.add_rwo": "ctrl+a", "medications.remove_row": "ctrl+d"}, known_bindings())
    assert list(problems) == ["medications.add_rwo"]
    assert "'medications.add_rwo' is not a key binding id" in problems["medications.add_rwo"]
    assert "medications.add_row" in problems["medications.add_rwo"].split("close ones:")[1]


def test_an_entry_without_keys_says_what_to_write() -> None:
    problems = keymap_problems({"choice.clear": " , "}, known_bindings())
    assert problems == {"choice.clear": "'choice.clear' needs one or more keys separated by commas, e.g. \"backspace,delete\"."}


def test_the_keys_document_lists_every_id() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [binding_id for binding_id in known_bindings() if f"`{binding_id}`" not in text]
    assert not missing, f"docs/keys.md does not list {missing}"
