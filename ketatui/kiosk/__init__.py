"""The patient kiosk's core: what a patient reads before the questions, the staff PIN, the idle
clock, the suicide-screen check that starts the crisis hold, and the narrow store a kiosk is given.

Nothing here imports Textual; the kiosk App (``ketatui.screens.kiosk_app``) is a thin UI over
these and over ``ketatui.session.IntakeSession``, like every other role.
"""
