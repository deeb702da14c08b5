"""The ``saleschannel`` command line (the contract is ``spec/cli.md``).

Each module in this package that defines ``register(subparsers)`` adds its commands.
A command is a function ``handler(args) -> int | None`` set with
``parser.set_defaults(handler=..., needs_django=True)``.

Exit codes: 0 success; 2 refused input (one line on stderr naming the field and the
value); 1 any other failure, with a plain message and never a bare traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Sequence

from saleschannel.cli.base import CommandFailed, UsageError, line_escaped

__all__ = ["CommandFailed", "UsageError", "main"]

log = logging.getLogger("saleschannel.cli")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose refusals are one line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message=f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="saleschannel", description="Amazon Sales Channel")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    package = importlib.import_module("saleschannel.cli")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"saleschannel.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def setup_django(*, migrate: bool = True) -> None:
    """Configure Django and apply any migrations the database still needs."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleschannel.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", verbosity=0, interactive=False)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if getattr(args, "needs_django", True):
            setup_django()
        code = args.handler(args)
        return int(code or 0)
    except UsageError as exc:
        print(line_escaped(str(exc)), file=sys.stderr)
        return 2
    except CommandFailed as exc:
        print(line_escaped(str(exc)), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: a plain message, not a traceback
        log.debug("command failed", exc_info=True)
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
