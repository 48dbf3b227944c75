"""``make demo``: one synthetic scene end to end, with no model weights.

Synthesizes a scene, runs every expression online with simulated perception
(everything downstream of perception runs for real: camera motion from pixels,
trajectories, reasoning), evaluates it, prints the decision timeline and J&F,
and writes ``overlay.mp4``: each expression in turn, its mask tinted, candidate
boxes with ids, state and rationale as text.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2

from rvos_ros.config import load_config
from rvos_ros.eval.dataset import DatasetFolder, PredictionFolder
from rvos_ros.eval.report import evaluate, report_table, write_report
from rvos_ros.eval.runner import ExpressionRun, run_dataset
from rvos_ros.eval.synth import synthesize
from rvos_ros.overlay import VideoSink, draw_overlay
from rvos_ros.terminal import console, decisions_table, progress_bar
from rvos_ros.types import Frame, FrameResult

__all__ = ["run_demo"]


def run_demo(out: Path, seed: int = 3, scenes: int = 1) -> dict:
    """Run the demo into ``out``; returns the evaluation report."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    dataset_dir, pred_dir, clips = out / "dataset", out / "pred", out / "clips"
    synthesize(dataset_dir, scenes, seed)
    ds = DatasetFolder(dataset_dir)
    config = load_config()
    sinks: dict[str, VideoSink] = {}

    def draw(run: ExpressionRun, frame: Frame, result: FrameResult) -> None:
        key = run.expression.key
        if key not in sinks:
            sinks[key] = VideoSink(clips / f"{key.replace('/', '_')}.mp4", run.fps)
        sinks[key].write(draw_overlay(frame.image, result, run.expression.text))

    total = sum(len(ds.videos[e.video].frames) for e in ds.expressions)
    with progress_bar() as bar:
        task = bar.add_task("demo", total=total)
        runs = run_dataset(ds, pred_dir, config, on_result=draw, progress=lambda n: bar.advance(task, n))
    for s in sinks.values():
        s.close()
    _concatenate([sinks[r.expression.key].path for r in runs], out / "overlay.mp4", runs[0].fps)
    shutil.rmtree(clips)
    report = evaluate(ds, PredictionFolder(pred_dir))
    write_report(report, out / "report.json")
    decisions_table(runs)
    console.print(report_table(report))
    console.print(f"overlay video: {out / 'overlay.mp4'}   report: {out / 'report.json'}")
    return report


def _concatenate(parts: list[Path], dest: Path, fps: float) -> None:
    """Join the per-expression clips into one video (read back one frame at a time)."""
    with VideoSink(dest, fps) as sink:
        for p in parts:
            cap = cv2.VideoCapture(str(p))
            while True:
                ok, bgr = cap.read()
                if not ok:
                    break
                sink.write(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            cap.release()
