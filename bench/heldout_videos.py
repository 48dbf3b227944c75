"""Accuracy on held-out videos from an independently written generator (rvos_ros/testing/heldout_videos.py).

    python bench/heldout_videos.py --out data/heldout --videos 12 --seed 777
    .venv/bin/rvos-ros run data/heldout --out out/heldout --mode offline
    .venv/bin/rvos-ros eval --gt data/heldout --pred out/heldout
"""

from rvos_ros.testing.heldout_videos import main

if __name__ == "__main__":
    raise SystemExit(main())
