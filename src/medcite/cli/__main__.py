"""``python -m medcite.cli``: the same as the ``medcite`` console script."""

from . import run

run()
