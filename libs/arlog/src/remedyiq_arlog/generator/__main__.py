"""``python -m remedyiq_arlog.generator`` — see ``cli.py``."""

from .cli import main

raise SystemExit(main())
