"""The clinic's own name and crisis contacts, and whether the built-in US ones are still in use.

They come from the protocol (``clinic_name``, ``[[crisis_contacts]]``) unless the settings give
their own (``clinic_name``, ``crisis_contacts``), which win: sites that share one protocol may be
in different countries. Until a clinic sets them, the clinician is told plainly that the US
defaults (988, 911, 741741) are in use and how to change them.

May import: ``ketatui.clinical.protocol`` and the standard library (settings are read by name,
so this room does not depend on them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ketatui.clinical.protocol import CrisisContact, Protocol, default_protocol

#: The built-in numbers, as a clinician would recognise them.
US_NUMBERS = "988, 911, 741741"
#: How to set the clinic's own, named exactly (docs/settings.md).
HOW_TO_SET_CONTACTS = ("set crisis_contacts in the settings file (or KETATUI_CRISIS_CONTACTS), or [[crisis_contacts]] "
                       "in the clinic's protocol file; `ketatui config` shows which files are read")
HOW_TO_SET_NAME = "set clinic_name in the settings file (or KETATUI_CLINIC_NAME), or clinic_name in the protocol file"


def for_clinic(protocol: Protocol, settings: Any = None) -> Protocol:
    """The protocol with the settings' clinic name and crisis contacts, where the settings give them."""
    name = getattr(settings, "clinic_name", None)
    contacts = getattr(settings, "crisis_contacts", None)
    update: dict[str, Any] = {}
    if name:
        update["clinic_name"] = name
    if contacts:
        update["crisis_contacts"] = [CrisisContact(name=c.name, how=c.how) for c in contacts]
    return protocol.model_copy(update=update) if update else protocol


def default_contacts_in_use(contacts: Sequence[CrisisContact]) -> bool:
    """Whether these are exactly the built-in US contacts (a copied protocol left as it was counts)."""
    return [(c.name, c.how) for c in contacts] == [(c.name, c.how) for c in default_protocol().crisis_contacts]


def default_name_in_use(protocol: Protocol) -> bool:
    return protocol.clinic_name == default_protocol().clinic_name


def contacts_notice(contacts: Sequence[CrisisContact]) -> str:
    """For the clinician, in full: the US defaults are in use and the exact way to set the clinic's own ("" when set)."""
    if not default_contacts_in_use(contacts):
        return ""
    return (f"These crisis contacts are the built-in US defaults ({US_NUMBERS}); this clinic has not set its own. "
            f"To change them, {HOW_TO_SET_CONTACTS}.")


def defaults_notice(protocol: Protocol) -> str:
    """Everything still a built-in default (crisis contacts, clinic name) and how to set it ("" when none)."""
    parts = [contacts_notice(protocol.crisis_contacts)] if default_contacts_in_use(protocol.crisis_contacts) else []
    if default_name_in_use(protocol):
        parts.append(f"The clinic name is the default \"{protocol.clinic_name}\"; to change it, {HOW_TO_SET_NAME}.")
    return " ".join(parts)


def contacts_notice_line(contacts: Sequence[CrisisContact]) -> str:
    """One line (at most 78 columns) for a screen: the US defaults are in use and the setting to change."""
    if not default_contacts_in_use(contacts):
        return ""
    return f"! US crisis lines in use ({US_NUMBERS}): set crisis_contacts (F1)"
