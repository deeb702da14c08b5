"""``python -m bench.child <module> <function> <kwargs-json> <out-file>``: one measurement in its own process."""

from __future__ import annotations

import importlib
import json
import sys


def main(argv: list[str]) -> int:
    module, function, kwargs, out = argv
    result = getattr(importlib.import_module(module), function)(**json.loads(kwargs))
    with open(out, "w") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
