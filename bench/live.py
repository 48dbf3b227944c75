"""Live transport benchmark: DDS end-to-end latency and drops, and bag replay throughput.

    python bench/live.py --json out/bench_live.json

1. ``rvos-ros serve --loopback`` runs in a subprocess (simulated perception,
   default config); this process publishes a 640x480 synthetic stream (a
   static dog and a rolling ball, with ground-truth labels and the command
   "the ball") at 15 and 30 Hz and subscribes to ``target/mask``. Latency is
   mask received − frame published, both on this process's monotonic clock,
   in milliseconds; the drop rate is 1 − masks / frames published (frames
   the live loop skipped to stay current, plus any lost on the way).
2. Replay throughput: ``rvos-ros replay`` on a synthetic bag, in frames per
   second, divided by rosbags' own read + decode rate on the same bag
   (every message deserialized): the share of the bag reader's speed the
   whole pipeline keeps.

All DDS traffic stays on the loopback interface, on a random domain.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from rvos_ros.ros.dds import DdsNode, loopback_uri

H, W = 480, 640


def scene(i: int, bg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Frame i: a static dog (id 1) and a ball (id 2) rolling right, bouncing back at the edge."""
    img = bg.copy()
    labels = np.zeros((H, W), np.uint8)
    img[160:320, 40:160] = (150, 100, 40)
    labels[160:320, 40:160] = 1
    x = 200 + (4 * i) % 800
    x = x if x < W - 80 else 2 * (W - 80) - x
    x = max(0, x)
    img[200:280, x:x + 80] = (220, 30, 30)
    labels[200:280, x:x + 80] = 2
    return img, labels


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def measure_dds(rate_hz: float, frames: int, bg: np.ndarray) -> dict[str, float]:
    """Latency (ms) p50/p99 and drop rate of ``frames`` frames published at ``rate_hz`` through ``serve``."""
    from rvos_ros.ros.dds_types import Image, String, header_out, image_out, stamp_of

    domain = random.SystemRandom().randint(50, 200)
    env = dict(os.environ, ROS_DOMAIN_ID=str(domain), CYCLONEDDS_URI=loopback_uri())
    proc = subprocess.Popen([sys.executable, "-m", "rvos_ros.cli", "serve", "--loopback",
                             "--duration", str(frames / rate_hz + 60)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sent: dict[int, float] = {}
    received: dict[int, float] = {}
    lock = threading.Lock()
    status: list[dict] = []

    def on_mask(m: Image) -> None:
        now = time.monotonic()
        with lock:
            received[stamp_of(m.header)] = now

    try:
        with DdsNode(domain, loopback=True) as node:
            masks = node.subscribe("target/mask", Image, on_mask)
            node.subscribe("status", String, lambda m: status.append(json.loads(m.data)))
            image = node.publisher("image", Image, "sensor")
            labels = node.publisher("sim/labels", Image)
            objects = node.publisher("sim/objects", String, "latched")
            command = node.publisher("command", String)
            if not (image.wait_matched(1, 60.0) and labels.wait_matched(1, 20.0) and command.wait_matched(1, 20.0)
                    and masks.wait_matched(1, 20.0)):
                raise RuntimeError("serve did not come up on the loopback domain")
            time.sleep(0.5)
            objects.write(String(json.dumps({"objects": {"1": {"category": "dog"}, "2": {"category": "ball"}}})))
            command.write(String("the ball"))
            period = 1.0 / rate_hz
            # pre-build the messages so publishing keeps the rate
            msgs = []
            for i in range(frames):
                img, ids = scene(i, bg)
                hdr = header_out(1_000_000_000 + round(i * 1e9 * period), "camera")
                msgs.append((hdr, image_out(hdr, ids, "mono8"), image_out(hdr, img, "rgb8")))
            t0 = time.monotonic()
            for i, (hdr, lab, img) in enumerate(msgs):
                time.sleep(max(0.0, t0 + i * period - time.monotonic()))
                labels.write(lab)
                sent[stamp_of(hdr)] = time.monotonic()
                image.write(img)
            time.sleep(1.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    with lock:
        lat = [(received[s] - sent[s]) * 1e3 for s in received if s in sent]
    return {"latency_ms_p50": _percentile(lat, 50), "latency_ms_p99": _percentile(lat, 99),
            "drop_rate": 1.0 - len(lat) / frames, "frames": frames, "masks": len(lat),
            "serve_dropped": max((s.get("dropped", 0) for s in status), default=0)}


def measure_replay(frames: int, bg: np.ndarray) -> dict[str, float]:
    """Replay frames/s over rosbags read+decode frames/s on the same synthetic bag."""
    from rosbags.highlevel import AnyReader

    from rvos_ros.bag.replay import replay
    from rvos_ros.bag.scene_bag import write_scene_bag
    from rvos_ros.config import Config
    from rvos_ros.interface.messages import typestore

    with tempfile.TemporaryDirectory() as tmp:
        bag = Path(tmp) / "scene"
        write_scene_bag(bag, (scene(i, bg) for i in range(frames)), fps=15.0, categories={1: "dog", 2: "ball"},
                        commands=[(0.0, "the ball")])
        t0 = time.perf_counter()
        with AnyReader([bag], default_typestore=typestore()) as reader:
            for conn, _, raw in reader.messages():
                reader.deserialize(raw, conn.msgtype)
        read_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        summary = replay(bag, Path(tmp) / "out", Config())
        replay_s = time.perf_counter() - t0
    read_fps, replay_fps = frames / read_s, summary.frames / replay_s
    return {"read_fps": read_fps, "replay_fps": replay_fps, "replay_vs_read_ratio": replay_fps / read_fps}


def main(
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the results here.")] = None,
    frames: Annotated[int, typer.Option(min=20, help="Frames per DDS rate.")] = 300,
    replay_frames: Annotated[int, typer.Option(min=10, help="Frames in the replay bag.")] = 150,
) -> None:
    """Measure DDS latency/drops at 15 and 30 Hz and replay throughput; print a table, optionally write JSON."""
    from rvos_ros.terminal import summary_table

    bg = np.random.default_rng(0).integers(0, 255, (H, W, 3), dtype=np.uint8)
    live = {str(int(rate)): measure_dds(rate, frames, bg) for rate in (15.0, 30.0)}
    rep = measure_replay(replay_frames, bg)
    result = {
        "version": 1,
        "frame_size": [W, H],
        "latency_ms_p50": {k: round(v["latency_ms_p50"], 2) for k, v in live.items()},
        "latency_ms_p99": {k: round(v["latency_ms_p99"], 2) for k, v in live.items()},
        "drop_rate": {k: round(v["drop_rate"], 4) for k, v in live.items()},
        "serve_dropped": {k: v["serve_dropped"] for k, v in live.items()},
        "replay_fps": round(rep["replay_fps"], 2),
        "read_fps": round(rep["read_fps"], 2),
        "replay_vs_read_ratio": round(rep["replay_vs_read_ratio"], 4),
    }
    rows = [(f"{k} Hz", f"{result['latency_ms_p50'][k]:.1f}", f"{result['latency_ms_p99'][k]:.1f}",
             f"{result['drop_rate'][k]:.1%}", f"{v['masks']}/{v['frames']}") for k, v in live.items()]
    summary_table(f"DDS loopback, {W}x{H}, simulated perception", rows,
                  headers=("rate", "latency p50 ms", "latency p99 ms", "drop rate", "masks/frames"))
    summary_table("replay", [("replay frames/s", result["replay_fps"]), ("rosbags read+decode frames/s",
                                                                          result["read_fps"]),
                             ("ratio", result["replay_vs_read_ratio"])], headers=("what", "value"))
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    typer.run(main)
