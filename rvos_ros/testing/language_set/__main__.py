"""python -m rvos_ros.testing.language_set [--out DIR]: write the language set (deterministic)."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from rvos_ros.testing.language_set import write

DEFAULT = Path(__file__).resolve().parents[3] / "test" / "data" / "language_set"

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=DEFAULT)
    entries = write(ap.parse_args().out)
    print(f"{len(entries)} cases; splits {dict(Counter(e['split'] for e in entries))}")
