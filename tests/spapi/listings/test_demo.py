"""The issue's "done when": ``saleschannel sandbox serve --generate 30 --listings 20``
shows quantities falling as its buyers order, and the script of
``docs/listings-client.md`` pushes quantities with the client and reads them back."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.spapi.test_acceptance import start_sandbox, stop_sandbox

REPO = Path(__file__).resolve().parents[3]


def test_serve_with_listings_shows_quantities_falling_as_buyers_order():
    process, url = start_sandbox("--generate", "30", "--listings", "20", "--seed", "1")
    try:
        first = httpx.get(f"{url}/_sandbox/listings").json()["listings"]
        assert len(first) == 10 and {item["channels"]["DEFAULT"] for item in first} <= {50, 49, 48, 47}
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            listings = httpx.get(f"{url}/_sandbox/listings").json()["listings"]
            if sum(item["sold"]["DEFAULT"] for item in listings) >= 2:
                break
            time.sleep(0.5)
        assert sum(item["sold"]["DEFAULT"] for item in listings) >= 2
        assert all(item["channels"]["DEFAULT"] == 50 - item["sold"]["DEFAULT"] for item in listings)
    finally:
        assert stop_sandbox(process, signal.SIGTERM)[0] == 0


def test_serve_refuses_bad_listings_flags_naming_them(capsys):
    from saleschannel.cli import main

    for argv, field in [
        (["--port", "0", "--listings", "-1"], "--listings"),
        (["--port", "0", "--listing-quantity", "x"], "--listing-quantity"),
        (["--port", "0", "--feed-delay", "-5"], "--feed-delay"),
    ]:
        assert main(["sandbox", "serve", *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and field in err[0]


def test_the_docs_script_pushes_quantities_and_reads_them_back(tmp_path):
    text = (REPO / "docs" / "listings-client.md").read_text(encoding="utf-8")
    script = re.search(r"```python\n(.*?)```", text, re.S)
    assert script is not None
    (tmp_path / "push.py").write_text(script.group(1), encoding="utf-8")
    process, url = start_sandbox("--listings", "20", "--feed-delay", "1", "--seed", "1")
    try:
        done = subprocess.run(
            [sys.executable, str(tmp_path / "push.py"), url], capture_output=True, text=True, timeout=60, cwd=REPO
        )
    finally:
        stop_sandbox(process, signal.SIGTERM)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "patch: ACCEPTED",
        "Amazon now shows 7 for DEMO-MUG-WHITE",
        "feed: DEMO-CAP-RED accepted",
        "feed: DEMO-TOTE-BAG accepted",
        "Amazon now shows 11 for DEMO-CAP-RED",
        "Amazon now shows 11 for DEMO-TOTE-BAG",
    ]

