"""``python -m ketatui`` runs the same entry point as the ``ketatui`` script."""

from ketatui.cli import main

raise SystemExit(main())
