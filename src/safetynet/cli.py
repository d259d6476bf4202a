"""The `safetynet` command: a thin front over Django's management commands.

`safetynet demo`, `safetynet audit verify`, `safetynet assess …` and every other sub-command are
management commands of the project's apps; this only sets the settings module and dispatches.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["safetynet", *argv])
    if len(args) == 1:
        args.append("help")
    if args[1] in ("demo", "demo-clock"):
        os.environ.setdefault("SAFETYNET_DEMO_CLOCK", "1")  # the demo's movable clock (core/clock.py)
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
