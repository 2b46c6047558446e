"""Training mode: scenarios with synthetic patients, what they say, the scorecard, and the
training store kept apart from real records.

``scenario`` (the TOML files and their model), ``persona`` (what the patient says when asked about
a field), ``scorecard`` (what the trainee caught and missed), ``results`` (scorecards kept, the
trainer's summary) and ``store`` (the training store's settings, never the real store's).

May import: the core rooms, ``ketatui.session``, the storage interface. Never Textual or the screens.
"""
