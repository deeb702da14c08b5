"""``saleschannel user add``: a dashboard user (staff), optionally a manager who may change settings;
``saleschannel user unlock``: lift a sign-in lockout."""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path
from typing import Any

from saleschannel.cli.base import UsageError

# The dashboard lets members of this group change settings (dashboard/permissions.py).
MANAGERS_GROUP = "managers"


def _password_from_file(path: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError("--password-file", path, f"error: --password-file: {path}: cannot be read "
                         f"({type(exc).__name__})") from None
    password = text.rstrip("\r\n")
    if not password.strip():
        raise UsageError("--password-file", path, f"error: --password-file: {path}: holds no password")
    return password


def user_add_command(args: argparse.Namespace) -> int:
    from django.contrib.auth.models import Group, User
    from django.contrib.auth.password_validation import validate_password
    from django.contrib.auth.validators import UnicodeUsernameValidator
    from django.core.exceptions import ValidationError
    from django.db import transaction

    username = args.username
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise UsageError("username", username, f"error: username: {username!r}: use letters, digits and "
                         "@/./+/-/_ only") from None
    if len(username) > 150:
        raise UsageError("username", username, "error: username: longer than 150 characters")
    password = _password_from_file(args.password_file) if args.password_file else None
    if User.objects.filter(username=username).exists():
        raise UsageError("username", username, f"error: username: {username}: a user with this name exists")
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        # The settings' validators (length, common passwords, likeness to the username, all digits).
        validate_password(password, user=User(username=username))
    except ValidationError as exc:
        # The validators' own words; the password itself is never echoed.
        raise UsageError("--password-file", "", "error: --password-file: password refused: "
                         + " ".join(exc.messages)) from None
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, is_staff=True)
        if args.manager:
            user.groups.add(Group.objects.get_or_create(name=MANAGERS_GROUP)[0])
    if generated:
        print(password)
    print(f"user {username} added ({'manager' if args.manager else 'staff'})", file=sys.stderr)
    return 0


def user_unlock_command(args: argparse.Namespace) -> int:
    """Lift the sign-in lockout of a username (its failed attempts from every address), and of
    addresses given with --address (the API's lockout is per address)."""
    from axes.utils import reset

    removed = reset(username=args.username)
    for address in args.address or []:
        removed += reset(ip=address)
    # The same words whether or not the user exists or was locked: the lock reveals nothing.
    print(f"{args.username} unlocked ({removed} failed attempt(s) forgotten)", file=sys.stderr)
    return 0


def register(subparsers: Any) -> None:
    user = subparsers.add_parser("user", help="dashboard users").add_subparsers(
        dest="user_command", metavar="COMMAND", required=True
    )
    add = user.add_parser("add", help="a dashboard user; prints a generated password unless --password-file")
    add.add_argument("username", metavar="USERNAME")
    add.add_argument("--manager", action="store_true", help="may change settings")
    add.add_argument("--password-file", metavar="F")
    add.set_defaults(handler=user_add_command, needs_django=True)
    unlock = user.add_parser("unlock", help="lift the sign-in lockout of a username (and of addresses)")
    unlock.add_argument("username", metavar="USERNAME")
    unlock.add_argument("--address", action="append", metavar="IP", help="an address to unlock too (repeatable)")
    unlock.set_defaults(handler=user_unlock_command, needs_django=True)
