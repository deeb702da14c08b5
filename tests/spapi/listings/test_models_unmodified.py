"""The Listings Items, Feeds and listings-feed models are Amazon's, unmodified: each file
SOURCE.txt lists with a git blob id still hashes to it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import saleschannel.spapi.sandbox

MODELS = Path(saleschannel.spapi.sandbox.__file__).parent / "amazon_models"


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # git's own hash, not a secret


def listed() -> list[tuple[str, str]]:
    text = (MODELS / "SOURCE.txt").read_text(encoding="utf-8")
    return re.findall(r"^\s*(\S+\.json)\s+(?:\S+\s+)?\[([0-9a-f]{40})\]", text, re.M) + [
        (name, blob) for name, blob in re.findall(r"^\s*(\S+\.json)\n\s+\S+ \[([0-9a-f]{40})\]", text, re.M)
    ]


def test_every_listed_model_is_byte_for_byte_amazons():
    entries = dict(listed())
    assert {"listingsItems_2021-08-01.json", "feeds_2021-06-30.json", "listings-feed-schema-v2.json"} <= set(entries)
    assert len(entries) == 9
    for name, blob in entries.items():
        assert git_blob_id((MODELS / name).read_bytes()) == blob, name


def test_the_check_can_fail():
    assert git_blob_id(b"{}") != git_blob_id(b"{ }")
