"""python -m rvos_ros.testing.language_set [--batch v1|v2|v3|v4|v5] [--out DIR]: write one batch of the language
set (deterministic; DIR defaults to the batch's folder, test/data/language_set, test/data/language_set_v2,
test/data/language_set_v3, test/data/language_set_v4 or test/data/language_set_v5)."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from rvos_ros.testing.language_set import BATCHES, write

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--batch", choices=tuple(BATCHES), default="v1")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    entries = write(args.out, args.batch)
    print(f"{len(entries)} cases; splits {dict(Counter(e['split'] for e in entries))}")
