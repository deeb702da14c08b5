"""The main job: the demo's entry point brings the whole channel up, and Ctrl-C takes it all down."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from saleschannel.cli.demo import DEMO_ACCOUNT
from tests.childproc import read_line

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _read_until(proc: subprocess.Popen[str], pattern: str, timeout: float) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    seen = []
    assert proc.stdout is not None
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = read_line(proc, timeout=left)
        except AssertionError:
            break
        if not line:  # the demo closed its output
            break
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    errors = _stderr_tail(proc)
    raise AssertionError(f"no line matching {pattern!r}; stdout was: {''.join(seen)!r}; stderr ends: {errors!r}")


def _stderr_tail(proc: subprocess.Popen[str]) -> str:
    """What the demo wrote to standard error, when it was sent to a file (``_stderr_to``)."""
    path = getattr(proc, "stderr_path", None)
    return Path(path).read_text()[-3000:] if path and Path(path).exists() else ""


def _demo(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.Popen[str]:
    """Start the demo with standard error kept in a file, so a failure to start says why."""
    path = tmp_path / "demo.stderr"
    with path.open("w") as errors:
        proc = subprocess.Popen([sys.executable, "-m", "saleschannel", "demo", *args], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=errors, text=True)
    proc.stderr_path = str(path)  # type: ignore[attr-defined]
    return proc


def _store_orders(env: dict[str, str]) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "saleschannel", "orders", "--json"], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return json.loads(out)


def _listings(env: dict[str, str]) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "saleschannel", "listings", DEMO_ACCOUNT, "--json"], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return json.loads(out)


def _login(base: str, user: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=True, timeout=30)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "the login page has a CSRF token"
    client.post("/login/", data={"username": user, "password": password,
                                 "csrfmiddlewaretoken": token.group(1)}, headers={"Referer": base + "/login/"})
    return client


def test_demo_imports_orders_serves_the_dashboard_and_stops_everything_on_ctrl_c(tmp_path):
    env = dict(os.environ, SALESCHANNEL_HOME=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    env.pop("DATABASE_URL", None)  # the demo runs on the embedded default
    proc = _demo(["--port", str(_free_port()), "--sandbox-port", str(_free_port()),
                  "--orders-per-minute", "120", "--pace", "40", "--seed", "3"], env, tmp_path)
    try:
        url = _read_until(proc, r"^Dashboard: (http://\S+/)$", timeout=120).group(1)
        user, password = _read_until(proc, r"^Login: (\S+) (\S+)$", timeout=10).groups()
        deadline = time.monotonic() + 150
        orders: list[dict] = []
        while not orders and time.monotonic() < deadline:
            time.sleep(2)
            orders = _store_orders(env)
        assert orders, "a store order was imported from the sandbox"
        assert orders[0]["amazon_order_id"]
        pushed: list[dict] = []
        while not pushed and time.monotonic() < deadline + 60:
            pushed = [row for row in _listings(env) if row["channel"] == "MFN" and row["last_pushed_quantity"] is not None]
            time.sleep(0 if pushed else 2)
        assert pushed, "the worker pushed the store's quantities to the sandbox's listings (Stock to Amazon)"

        client = _login(url.rstrip("/"), user, password)
        try:
            page = client.get("/")
            assert page.status_code == 200
            assert "/login/" not in str(page.url), "the printed login opens the dashboard"
        finally:
            client.close()

        pids = [int(p) for p in (tmp_path / "var" / "demo.pids").read_text().split()]
        assert len(pids) == 3
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in pids if _alive(pid)], "every process the demo started has ended"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_demo_refuses_a_bad_pace_in_one_line(tmp_path):
    env = dict(os.environ, SALESCHANNEL_HOME=str(tmp_path / "var"))
    done = subprocess.run([sys.executable, "-m", "saleschannel", "demo", "--pace", "0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--pace" in done.stderr


@pytest.mark.parametrize("flag", ["--orders-per-minute"])
def test_demo_refuses_no_orders(tmp_path, flag):
    env = dict(os.environ, SALESCHANNEL_HOME=str(tmp_path / "var"))
    done = subprocess.run([sys.executable, "-m", "saleschannel", "demo", flag, "0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and flag in done.stderr


def test_demo_children_end_even_when_the_demo_itself_is_killed(tmp_path):
    env = dict(os.environ, SALESCHANNEL_HOME=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    env.pop("DATABASE_URL", None)
    proc = _demo(["--port", str(_free_port()), "--sandbox-port", str(_free_port()), "--seed", "4"], env, tmp_path)
    try:
        _read_until(proc, r"^Login: ", timeout=120)
        pids = [int(p) for p in (tmp_path / "var" / "demo.pids").read_text().split()]
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in pids if _alive(pid)], "no demo process outlives a killed demo"
