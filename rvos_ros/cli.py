"""The ``rvos-ros`` command.

Each command is a plain typed function: its signature is its flags and its
docstring its help. A mistake of the user's (missing folder, bad JSON,
unknown option value) prints one line ``error: ...`` and exits with code 2.
Heavy modules are imported inside the commands so ``--help`` stays fast.
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from typer.exceptions import Abort, Exit, TyperException

from rvos_ros.errors import InputError, RvosError

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Online referring video object segmentation: segment what a command refers to, per frame.")


class PerceptionChoice(str, enum.Enum):
    simulated = "simulated"
    models = "models"


class ModeChoice(str, enum.Enum):
    online = "online"
    offline = "offline"


ConfigOpt = Annotated[Path | None, typer.Option("--config", help="YAML config (default: config/rvos.yaml).")]
PerceptionOpt = Annotated[PerceptionChoice | None, typer.Option(
    help="Perception backend; default: the config's perception.backend (models in the packaged config). "
         "simulated is the ground-truth oracle: synthetic or annotated data only.")]


def _config(path: Path | None, perception: PerceptionChoice | None = None):
    from rvos_ros.config import load_config

    cfg = load_config(path)
    if perception is not None:
        cfg = cfg.replace(**{"perception.backend": perception.value})
    return cfg


@contextlib.contextmanager
def _dds_session(loopback: bool) -> Iterator[threading.Event]:
    """For serve/play: confine DDS to loopback if asked, and turn SIGINT/SIGTERM into a stop event."""
    if loopback:
        from rvos_ros.ros.dds import loopback_uri

        os.environ["CYCLONEDDS_URI"] = loopback_uri()
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", help="Dataset folder to write.")],
    scenes: Annotated[int, typer.Option(min=1, help="Number of scenes (videos).")] = 10,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives byte-identical output.")] = 0,
    width: Annotated[int, typer.Option(min=64, help="Frame width, pixels.")] = 480,
    height: Annotated[int, typer.Option(min=64, help="Frame height, pixels.")] = 360,
    frames: Annotated[int, typer.Option(min=8, help="Frames per scene.")] = 60,
    fps: Annotated[float, typer.Option(min=1.0, help="Frame rate of the scenes.")] = 15.0,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace a previous synth output in OUT.")] = False,
    bag: Annotated[bool, typer.Option("--bag", help="Also write each scene as a rosbag2 in OUT/bags (MCAP).")]
    = False,
) -> None:
    """Render seeded synthetic scenes with ground-truth masks and referring expressions."""
    from rvos_ros.eval.synth import synthesize
    from rvos_ros.terminal import progress_bar, summary_table

    bags: list[Path] = []
    with progress_bar() as bar:
        task = bar.add_task("synth", total=None)
        summary = synthesize(out, scenes, seed, width=width, height=height, num_frames=frames, fps=fps,
                             overwrite=overwrite)
        bar.update(task, completed=1, total=1)
        if bag:
            from rvos_ros.bag.synth_bag import write_dataset_bags

            bags = write_dataset_bags(out)
    rows: list[tuple[str, object]] = [("videos", summary.videos), ("frames", summary.frames),
                                      ("expressions", summary.expressions)]
    if bags:
        rows.append(("bags", f"{len(bags)} in {out / 'bags'}"))
    rows += [(f"  {kind}", n) for kind, n in sorted(summary.per_category.items())]
    summary_table(f"synthesized {out}", rows)


@app.command()
def run(
    dataset: Annotated[Path, typer.Argument(help="Dataset folder: DAVIS, Ref-YouTube-VOS / Ref-DAVIS17 split or "
                                                 "MeViS split (docs/contracts.md).")],
    out: Annotated[Path, typer.Option("--out", help="Prediction folder to write (missing or empty).")],
    perception: PerceptionOpt = None,
    mode: Annotated[ModeChoice, typer.Option(help="online: causal masks; offline: final decision on every frame.")]
    = ModeChoice.online,
    config: ConfigOpt = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace a previous run's predictions in OUT.")]
    = False,
    zip_: Annotated[bool, typer.Option("--zip", help="Also write OUT/submission.zip (Annotations/...) for the "
                                                     "benchmark servers.")] = False,
) -> None:
    """Run every expression of a dataset and write binary masks (OUT/Annotations/<video>/<exp>/<frame>.png, the
    benchmark servers' layout) plus decisions.json."""
    from rvos_ros.eval.dataset import DatasetFolder, PredictionFolder, write_submission_zip
    from rvos_ros.eval.runner import run_dataset
    from rvos_ros.terminal import decisions_table, progress_bar

    cfg = _config(config, perception)
    ds = DatasetFolder(dataset)
    total = sum(len(ds.videos[e.video].frames) for e in ds.expressions)
    with progress_bar() as bar:
        task = bar.add_task("run", total=total)
        runs = run_dataset(ds, out, cfg, mode=mode.value, progress=lambda n: bar.advance(task, n),
                           overwrite=overwrite)
    made = PredictionFolder(out).provenance or {}
    decisions_table(runs, ids_are_objects=made.get("track_ids") == "object_ids")
    if zip_:
        typer.echo(f"submission: {write_submission_zip(out)}")


@app.command("eval")
def eval_(
    gt: Annotated[Path, typer.Option("--gt", help="Ground-truth dataset folder (DAVIS, Ref-YouTube-VOS, MeViS).")],
    pred: Annotated[Path, typer.Option("--pred", help="Prediction folder written by `rvos-ros run`.")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report JSON here.")] = None,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML report here.")]
    = None,
    strict: Annotated[bool, typer.Option("--strict", help="Refuse predictions with missing masks (by default "
                                                          "they count as empty and are reported).")] = False,
) -> None:
    """Score predictions: J, F, J&F (DAVIS 2017); from the masks, accuracy, time to lock, wrong and silent wrong
    locks, switches."""
    from rvos_ros.eval.dataset import DatasetFolder, PredictionFolder
    from rvos_ros.eval.report import evaluate, report_table, write_report
    from rvos_ros.terminal import console, progress_bar

    ds, pf = DatasetFolder(gt), PredictionFolder(pred)
    with progress_bar() as bar:
        task = bar.add_task("eval", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = evaluate(ds, pf, strict=strict, progress=tick)
    if json_out is not None:
        write_report(report, json_out)
    if html_out is not None:
        from rvos_ros.eval.html_report import write_html

        write_html(report, ds, pf, html_out)
    console.print(report_table(report))


@app.command()
def export(
    bag: Annotated[Path, typer.Argument(help="Recorded rosbag2 with a labels topic (folder, .mcap or .db3).")],
    out: Annotated[Path, typer.Option("--out", help="Dataset folder to write (missing or empty).")],
    video: Annotated[str | None, typer.Option(help="Video name (default: the bag's name).")] = None,
    image_topic: Annotated[str, typer.Option(help="Camera topic (Image or CompressedImage).")] = "/image",
    command_topic: Annotated[str, typer.Option(help="Command topic (std_msgs/String).")] = "/command",
    labels_topic: Annotated[str, typer.Option(help="Ground-truth object ids (mono8).")] = "/sim/labels",
    objects_topic: Annotated[str, typer.Option(help="Ground-truth categories JSON.")] = "/sim/objects",
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace a previous export in OUT.")] = False,
) -> None:
    """Turn a recorded bag with a labels topic into a dataset folder (DAVIS layout) for `run` and `eval`."""
    from rvos_ros.bag.export import export_bag
    from rvos_ros.bag.reader import BagTopics
    from rvos_ros.terminal import summary_table

    summary = export_bag(bag, out, topics=BagTopics(image_topic, command_topic, labels_topic, objects_topic),
                         video=video, overwrite=overwrite)
    summary_table(f"export {bag} → {out}", summary.rows())


@app.command()
def reason(
    window: Annotated[Path, typer.Argument(help="Trajectory window JSON (docs/contracts.md).")],
    query: Annotated[str | None, typer.Option(help="Override the window's query.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Identify the target in a trajectory window and print the Decision JSON.

    The configured LLM (``llm.*``) and verifier (``verifier.*``) take part as in the live loop: an LLM that
    fails or cannot be reached gives ``stage: fallback`` with the reason in the rationale.
    """
    from rvos_ros.reasoning.identify import identify
    from rvos_ros.reasoning.query_parser import QueryParser
    from rvos_ros.reasoning.window_io import load_window
    from rvos_ros.runtime.models import ModelRegistry

    cfg = _config(config)
    win = load_window(window)
    parsed = QueryParser(max_chars=cfg.output.max_command_chars).parse(query if query is not None else win.query)
    models = ModelRegistry(cfg)
    try:
        decision = identify(win, parsed, cfg.reasoning, llm=models.llm(), verifier=models.verifier())
    finally:
        models.close()
    typer.echo(json.dumps(decision.to_dict()))


class StorageChoice(str, enum.Enum):
    mcap = "mcap"
    sqlite3 = "sqlite3"


@app.command()
def replay(
    bag: Annotated[Path, typer.Argument(help="Input rosbag2 (folder, .mcap or .db3).")],
    out: Annotated[Path, typer.Option("--out", help="Output rosbag2 folder to create.")],
    command: Annotated[str | None, typer.Option(help="Command for the whole bag (replaces the command topic).")]
    = None,
    image_topic: Annotated[str, typer.Option(help="Camera topic (Image or CompressedImage).")] = "/image",
    command_topic: Annotated[str, typer.Option(help="Command topic (std_msgs/String).")] = "/command",
    labels_topic: Annotated[str, typer.Option(help="Ground-truth object ids (simulated perception).")]
    = "/sim/labels",
    objects_topic: Annotated[str, typer.Option(help="Ground-truth categories JSON (simulated perception).")]
    = "/sim/objects",
    perception: PerceptionOpt = None,
    storage: Annotated[StorageChoice, typer.Option(help="Output bag storage.")] = StorageChoice.mcap,
    config: ConfigOpt = None,
) -> None:
    """Replay a bag deterministically: one mask, overlay, detections and status per camera frame."""
    from rvos_ros.bag.reader import BagTopics
    from rvos_ros.bag.replay import replay as run_replay
    from rvos_ros.terminal import console, progress_bar, summary_table

    cfg = _config(config, perception)
    topics = BagTopics(image_topic, command_topic, labels_topic, objects_topic)
    with progress_bar() as bar:
        task = bar.add_task("replay", total=None)
        summary = run_replay(bag, out, cfg, topics=topics, command=command, storage=storage.value,
                             progress=lambda n: bar.advance(task, n))
    summary_table(f"replay {bag} → {out}", summary.rows())
    for frame, d in summary.decisions[:30]:
        console.print(f"  frame {frame:5d}  {d.state:<10} targets={list(d.targets)}  {d.rationale[:100]}",
                      markup=False)
    for err in summary.errors[:10]:
        console.print(f"  skipped: {err}", markup=False)


@app.command()
def serve(
    perception: PerceptionOpt = None,
    image_topic: Annotated[str, typer.Option(help="Camera topic (sensor_msgs/Image).")] = "image",
    compressed: Annotated[bool, typer.Option("--compressed", help="Subscribe to <image-topic>/compressed "
                                             "(sensor_msgs/CompressedImage, jpeg or png) instead.")] = False,
    command_topic: Annotated[str, typer.Option(help="Command topic (std_msgs/String; empty clears).")] = "command",
    labels_topic: Annotated[str, typer.Option(help="Ground-truth object ids (simulated perception).")]
    = "sim/labels",
    objects_topic: Annotated[str, typer.Option(help="Ground-truth categories JSON (simulated perception).")]
    = "sim/objects",
    config: ConfigOpt = None,
    loopback: Annotated[bool, typer.Option("--loopback", help="Keep all DDS traffic on this machine (lo).")]
    = False,
    max_frames: Annotated[int | None, typer.Option(min=1, help="Stop after processing this many frames.")] = None,
    duration: Annotated[float | None, typer.Option(min=0.0, help="Stop after this many seconds.")] = None,
) -> None:
    """Run live over DDS (ROS 2 wire format, domain ROS_DOMAIN_ID): camera + command in, masks and status out."""
    from rvos_ros.bag.reader import BagTopics
    from rvos_ros.ros.dds import serve as run_serve
    from rvos_ros.terminal import summary_table

    cfg = _config(config, perception)
    with _dds_session(loopback) as stop:
        summary = run_serve(cfg, topics=BagTopics(image_topic, command_topic, labels_topic, objects_topic),
                            loopback=loopback, max_frames=max_frames, duration=duration, stop=stop,
                            compressed=compressed)
    summary_table("serve", summary.rows())


@app.command()
def play(
    bag: Annotated[Path, typer.Argument(help="Input rosbag2 (folder, .mcap or .db3).")],
    rate: Annotated[float, typer.Option(min=0.01, help="Playback speed, times the recorded rate.")] = 1.0,
    image_topic: Annotated[str, typer.Option(help="Camera topic (Image or CompressedImage).")] = "/image",
    command_topic: Annotated[str, typer.Option(help="Command topic (std_msgs/String).")] = "/command",
    labels_topic: Annotated[str, typer.Option(help="Ground-truth object ids.")] = "/sim/labels",
    objects_topic: Annotated[str, typer.Option(help="Ground-truth categories JSON.")] = "/sim/objects",
    loopback: Annotated[bool, typer.Option("--loopback", help="Keep all DDS traffic on this machine (lo).")]
    = False,
    wait: Annotated[float, typer.Option(min=0.0, help="Seconds to wait for subscribers before starting.")] = 5.0,
) -> None:
    """Publish a bag's camera, command and ground-truth topics over DDS at the recorded rate, headers preserved."""
    from rvos_ros.bag.reader import BagTopics
    from rvos_ros.ros.dds import play as run_play
    from rvos_ros.terminal import summary_table

    with _dds_session(loopback) as stop:
        summary = run_play(bag, topics=BagTopics(image_topic, command_topic, labels_topic, objects_topic),
                           rate=rate, loopback=loopback, wait_s=wait, stop=stop)
    summary_table(f"play {bag}", summary.rows(), headers=("topic", "messages"))


models_app = typer.Typer(no_args_is_help=True, help="Model weights: fetch them once (pull), see what is configured "
                                                    "(list).")
app.add_typer(models_app, name="models")
EverythingOpt = Annotated[bool, typer.Option("--all", help="Both detector backends and CLIP too, not only what the "
                                                           "config uses.")]


@models_app.command("pull")
def models_pull(config: ConfigOpt = None, everything: EverythingOpt = False) -> None:
    """Download the configured detector, SAM2 checkpoint (and CLIP) into perception.models_dir; needs internet."""
    from rvos_ros.models.pull import check_pulled, pull_models
    from rvos_ros.terminal import summary_table

    results = pull_models(_config(config), everything=everything)
    summary_table("models pull", [(r.item.role, r.item.name, r.outcome) for r in results],
                  headers=("model", "name", "outcome"))
    check_pulled(results)


@models_app.command("list")
def models_list(config: ConfigOpt = None, everything: EverythingOpt = False) -> None:
    """Show the configured models and whether each is present (nothing downloads)."""
    from rvos_ros.models.pull import configured_models
    from rvos_ros.terminal import summary_table

    rows = [(i.role, i.name, i.ready or i.problem or "missing: run `rvos-ros models pull`")
            for i in configured_models(_config(config), everything=everything)]
    summary_table("models", rows, headers=("model", "name", "where"))


engines_app = typer.Typer(no_args_is_help=True, help="Engines: export model parts to ONNX and build TensorRT "
                          "engines into the engine cache, and list what is there.")
app.add_typer(engines_app, name="engines")
EnginesDirOpt = Annotated[Path | None, typer.Option("--dir", help="Engine cache folder (default: engines.dir).")]


@engines_app.command("build")
def engines_build(
    backend: Annotated[str, typer.Option(help="onnx | tensorrt (needs NVIDIA TensorRT and a CUDA GPU).")] = "onnx",
    precision: Annotated[str | None, typer.Option(
        help="TensorRT: fp16 (default) | fp32. ONNX files are always fp32.")] = None,
    image_size: Annotated[int | None, typer.Option(help="SAM2 input side; default perception.tracker.image_size.")]
    = None,
    camera_size: Annotated[str, typer.Option(help="WIDTHxHEIGHT of the camera frames GroundingDINO's graph is "
                                                  "built for (one graph per camera size).")] = "640x480",
    config: ConfigOpt = None,
    out: EnginesDirOpt = None,
) -> None:
    """Export the configured models' parts to ONNX (SAM2's four parts, OWLv2 or GroundingDINO, CLIP), verified
    against torch; with --backend tensorrt, also build and check a TensorRT engine from each."""
    from rvos_ros.engines.build import build_engines
    from rvos_ros.terminal import summary_table

    cfg = _config(config)
    try:
        cam_w, cam_h = (int(v) for v in camera_size.lower().split("x"))
    except ValueError:
        raise InputError(f"--camera-size must be WIDTHxHEIGHT, e.g. 640x480, got {camera_size!r}") from None
    parts = build_engines(cfg, out or Path(cfg.engines.dir), backend=backend, precision=precision,
                          image_size=image_size, camera_size=(cam_w, cam_h))
    summary_table("engines built", [(p.part, p.backend, str(p.path), f"{p.max_abs_diff:.1e}") for p in parts],
                  headers=("part", "backend", "file", "max |diff| (onnx: vs torch, tensorrt: vs onnx)"),
                  no_wrap=("part",))


@engines_app.command("list")
def engines_list(out: EnginesDirOpt = None, config: ConfigOpt = None) -> None:
    """Show the engine files in the cache and what each was built for."""
    from rvos_ros.engines.cache import EngineCache
    from rvos_ros.terminal import summary_table

    out = out or Path(_config(config).engines.dir)
    found = EngineCache(out).entries()
    for folder in sorted(p for p in out.iterdir() if p.is_dir()) if out.is_dir() else []:
        cache = EngineCache(folder)  # a SAM2 parts folder: its record, then any TensorRT engines built in it
        found += [(folder / name, k, problem) for name, k, problem in cache.records()]
    rows = [(str(p.relative_to(out)), k.part if k else "?", "x".join(map(str, k.input_shape)) if k else "",
             k.precision if k else "", f"{k.tensorrt} {k.gpu}".strip() if k else "", problem or "ok")
            for p, k, problem in found]
    summary_table(f"engines in {out}", rows, headers=("file", "part", "input", "precision", "tensorrt / gpu",
                                                       "state"), no_wrap=("part", "state"))


@app.command()
def render(
    bag: Annotated[Path, typer.Argument(help="Output bag written by `rvos-ros replay`.")],
    video: Annotated[Path, typer.Option("--video", help="Video file to write (.mp4).")],
    topic: Annotated[str, typer.Option(help="Image topic to render.")] = "/target/overlay",
) -> None:
    """Render an output bag's overlay topic into a video."""
    from rvos_ros.bag.render import render_video

    n = render_video(bag, video, topic=topic)
    typer.echo(f"wrote {n} frames to {video}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the demo's dataset, predictions and video.")]
    = Path("out/demo"),
    seed: Annotated[int, typer.Option(help="Scene seed.")] = 3,
) -> None:
    """Synthesize a scene, run it, evaluate it, print the decision timeline and J&F, write overlay.mp4."""
    from rvos_ros.demo import run_demo

    run_demo(out, seed)


@app.command()
def live(
    command: Annotated[str, typer.Option("--command", help="What to segment, e.g. 'the person walking left'.")],
    camera: Annotated[int | None, typer.Option("--camera", min=0, help="Webcam index (0: the first camera).")]
    = None,
    video: Annotated[Path | None, typer.Option("--video", help="Video file to run on instead of a camera.")]
    = None,
    config: ConfigOpt = None,
    perception: PerceptionOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the overlay video here (.mp4).")] = None,
    show: Annotated[bool, typer.Option("--show", help="Show the overlay in a window (q or Esc stops).")] = False,
    max_frames: Annotated[int | None, typer.Option(min=1, help="Stop after processing this many frames.")] = None,
) -> None:
    """Try it without ROS: run a command live on a webcam (--camera N) or a video file (--video FILE), drawing
    the overlay into --out and/or a window (--show); prints one summary line."""
    from rvos_ros.try_live import try_live

    summary = try_live(_config(config, perception), command, camera=camera, video=video, out=out, show=show,
                       max_frames=max_frames)
    typer.echo(summary.line())


def one_line(message: str, limit: int = 500) -> str:
    """A message on one line (YAML and other parsers give several, with caret art), at most ``limit`` chars."""
    parts = [ln.strip() for ln in message.splitlines() if ln.strip() and set(ln.strip()) != {"^"}]
    text = " ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the exit code."""
    command = typer.main.get_command(app)
    try:
        rc = command.main(args=argv if argv is not None else sys.argv[1:], prog_name="rvos-ros",
                          standalone_mode=False)
    except RvosError as err:
        typer.echo(f"error: {one_line(str(err))}", err=True)
        return 2
    except TyperException as err:  # usage errors: unknown option, bad value, missing argument
        hint = " (see rvos-ros --help)"
        typer.echo(f"error: {err.format_message()}{hint}", err=True)
        return 2
    except Exit as err:
        return int(err.exit_code)
    except (Abort, KeyboardInterrupt):
        typer.echo("error: interrupted", err=True)
        return 130
    return rc if isinstance(rc, int) else 0


def entry() -> None:
    """setuptools console script: exit with main()'s code."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
