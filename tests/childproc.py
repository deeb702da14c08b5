"""Reading a child process's output with a deadline.

``readline()`` on a child's pipe blocks for as long as the child says nothing: a child that hangs
would hang the test run. ``read_line`` reads the pipe from a background thread and waits for the
next line at most ``timeout`` seconds, failing the test with what it says when none comes.
"""

from __future__ import annotations

import queue
import subprocess
import threading
import weakref

_lines: weakref.WeakKeyDictionary[subprocess.Popen[str], queue.Queue[str]] = weakref.WeakKeyDictionary()


def _pump(stream, into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)
    into.put("")  # end of output


def read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The child's next line of standard output ("" once it has closed it), waiting at most ``timeout`` s."""
    lines = _lines.get(process)
    if lines is None:
        assert process.stdout is not None, "the child's standard output is not a pipe"
        lines = _lines[process] = queue.Queue()
        threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        raise AssertionError(f"no line from the child (pid {process.pid}) within {timeout} s") from None
