"""ketatui: intake and consultation assistant for ketamine treatment of depression.

The core (this package, except ``cli``) never imports Textual; screens live in
``ketatui.screens`` (the top-level ``screens/`` folder).
"""

__version__ = "0.1.0"
