"""Records in and out: the Markdown plan and take-home sheet (FHIR later).

May import: ``ketatui.intake``, ``ketatui.clinical`` and ``ketatui.storage.atomic`` (to write a
file safely). Never the screens, Textual or Rich.
"""
