"""The intake: what a person answers, as pydantic models that are the single truth of what is valid.

Rooms: ``document`` (the ``Intake`` itself and its status), one module per section
(``history``, ``medications``, ``side_effects``, ``goals``), the scored ``instruments``
(PHQ-9, GAD-7, ASQ), ``fields`` (problems in plain words), ``schema`` and ``migrations``
(stored versions), ``synthetic`` (made-up people for demos and training), ``listing`` (the name
and birth date a record is listed under, typed answers first), ``changes`` (what an amendment
changed, in the forms' words).

May import: pydantic and the standard library. Never ``clinical``, ``storage``, ``session``,
the screens, Textual or Rich.
"""
