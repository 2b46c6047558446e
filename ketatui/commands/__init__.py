"""The command line's sub-commands, loaded only when a command is asked for (``ketatui.cli``
builds the parser and opens the App without them, to keep the first paint fast).

May import: every core package. Never the screens (only ``ketatui.cli`` opens an App).
"""
