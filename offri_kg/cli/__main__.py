"""``python -m offri_kg.cli``: the ``offri`` command (the tests run it so, with their interpreter)."""

from offri_kg.cli import main

main()
