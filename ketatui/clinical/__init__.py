"""Clinical decisions: what the answers mean, derived and never typed by hand.

Rooms: ``protocol`` (the clinic's numbers, from a TOML file), ``catalogue`` (medicines by generic
and brand name), ``rules`` and ``flags`` (the flag vocabulary and why each is raised), ``trd``
(treatment resistance), ``conditions`` (each health answer and what it means), ``dose`` (mg from
the weight, ideal body weight at a high BMI), ``plan`` and ``schedule`` (the draft course and its dates), ``wording``
(help sentences that quote the protocol's numbers). The course after signing is ``ketatui.course``.

May import: ``ketatui.intake``, pydantic and the standard library. Never ``storage``,
``session``, the screens, Textual or Rich.
"""
