"""The command line's sub-commands. ``ketatui.cli`` builds the parser and opens the App; the
record-store commands are loaded only when a command is asked for, to keep the first paint fast.

Every handler takes the parsed arguments, builds the settings once with ``settings_of(args)``
and returns an exit code (0 done, 1 it could not be done, 2 the input is wrong).

May import: every core package and ``ketatui.settings``. Never the screens (only ``ketatui.cli``
opens an App).
"""
