"""The treatment course: session and follow-up records, and what the response means for the plan.

Core code, pure and protocol-driven: it may import ``ketatui.intake`` and ``ketatui.clinical``,
never Textual, Rich, the screens or storage. A signed plan starts a course; from the baseline
and the records so far the engine derives the response, the decisions at the protocol's review
points and an adjusted plan that a clinician accepts by signing.
"""
