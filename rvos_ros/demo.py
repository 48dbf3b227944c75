"""``make demo``: one synthetic scene end to end, with no model weights.

1. Synthesizes a scene and its rosbag2 (camera, ground truth, a command, a
   change of command halfway and a clear at 80 %).
2. Runs every expression of the scene online with simulated perception
   (everything downstream of perception runs for real: camera motion from
   pixels, trajectories, reasoning) and evaluates it: J&F and accuracy.
3. Replays the bag into an output bag and renders its overlay topic into
   ``overlay.mp4`` (mask tinted, candidate boxes with ids, state and
   rationale), printing the decision timeline.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from rvos_ros.bag.render import render_video
from rvos_ros.bag.replay import replay
from rvos_ros.bag.synth_bag import write_dataset_bags
from rvos_ros.config import load_config
from rvos_ros.eval.dataset import DatasetFolder, PredictionFolder
from rvos_ros.eval.report import evaluate, report_table, write_report
from rvos_ros.eval.runner import run_dataset
from rvos_ros.eval.synth import synthesize
from rvos_ros.terminal import console, decisions_table, progress_bar

__all__ = ["run_demo"]


def run_demo(out: Path, seed: int = 3) -> dict:
    """Run the demo into ``out`` (replaced); returns the evaluation report."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    dataset_dir, pred_dir, out_bag = out / "dataset", out / "pred", out / "replay"
    synthesize(dataset_dir, 1, seed)
    bag = write_dataset_bags(dataset_dir)[0]
    ds = DatasetFolder(dataset_dir)
    # Synthetic data carries its ground truth: the demo asks for the oracle explicitly (it measures reasoning
    # alone; the packaged default is the models backend, which needs weights), and for the overlay it renders.
    config = load_config().replace(**{"perception.backend": "simulated", "output.overlay": True})
    total = sum(len(ds.videos[e.video].frames) for e in ds.expressions)
    with progress_bar() as bar:
        task = bar.add_task("expressions", total=total)
        runs = run_dataset(ds, pred_dir, config, progress=lambda n: bar.advance(task, n))
        task = bar.add_task("bag replay", total=None)
        summary = replay(bag, out_bag, config, progress=lambda n: bar.advance(task, n))
    report = evaluate(ds, PredictionFolder(pred_dir))
    write_report(report, out / "report.json")
    frames = render_video(out_bag, out / "overlay.mp4")
    decisions_table(runs)
    console.print(report_table(report))
    console.print("perception: the simulated ground-truth oracle (these figures measure reasoning, not perception)")
    console.print(f"bag replay of {bag} ({summary.frames} frames, {summary.commands} commands), decision timeline:")
    for frame, d in summary.decisions:
        console.print(f"  frame {frame:3d}  {d.state:<10} targets={list(d.targets)}  {d.rationale[:90]}",
                      markup=False)
    console.print(f"output bag: {out_bag}   overlay video: {out / 'overlay.mp4'} ({frames} frames)   "
                  f"report: {out / 'report.json'}", markup=False)
    return report
