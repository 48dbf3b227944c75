"""Run the pipeline over a dataset folder and write a prediction folder.

Every expression is a command given at frame 0 of its video. ``online`` mode
writes each frame's causal mask (frame t uses frames ≤ t, as on a robot);
``offline`` mode re-applies each expression's final decision to every frame,
as the RVOS benchmarks score, and keeps the masks published frame by frame in
``<out>/online/`` for the streaming figures. Masks go to
``<out>/Annotations/<video>/<exp_id>/<frame>.png``, the benchmark servers'
layout; ``decisions.json`` records what made them (``provenance``). Frames are
read one at a time; nothing keeps a whole video in memory.

A query-independent perception (the simulated oracle) runs once per video and
serves all its expressions in lockstep; a query-dependent one (the models,
which detect the command's phrases, or the oracle with ``noise.report:
named``) runs one pass per expression, reset in between.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rvos_ros.config import Config
from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import MASKS, ONLINE, DatasetFolder, Expression, PredictionWriter, VideoInfo
from rvos_ros.eval.provenance import run_provenance
from rvos_ros.perception.base import GroundTruth, Perception
from rvos_ros.reasoning.query_parser import QueryParser
from rvos_ros.runtime import CommandSession, ModelRegistry, StreamObserver, load_perception, target_mask
from rvos_ros.runtime.stream import new_session, start_command
from rvos_ros.types import Decision, Frame, FrameResult

__all__ = ["ExpressionRun", "run_dataset"]

Mode = Literal["online", "offline"]
ResultCallback = Callable[["ExpressionRun", Frame, FrameResult], None]


@dataclass
class ExpressionRun:
    """The outcome of one expression: final decision and the timeline of decision changes."""

    expression: Expression
    fps: float
    num_frames: int = 0
    decision: Decision = field(default_factory=Decision)
    timeline: list[dict[str, Any]] = field(default_factory=list)

    def record(self, result: FrameResult) -> None:
        """Note the decision in force on a processed frame."""
        self._note(result.decision, result.frame_index)
        self.num_frames = result.frame_index + 1

    def finalize(self, decision: Decision) -> None:
        """Replace the final decision (offline mode); the timeline keeps what was published frame by frame."""
        self.decision = decision

    def _note(self, d: Decision, frame: int) -> None:
        entry = {"frame": frame, "targets": list(d.targets), "state": d.state,
                 "confidence": round(float(d.confidence), 4)}
        last = self.timeline[-1] if self.timeline else None
        if last is None or last["targets"] != entry["targets"] or last["state"] != entry["state"]:
            self.timeline.append(entry)
        self.decision = d

    def to_record(self) -> dict[str, Any]:
        rec = self.decision.to_dict()
        rec.update({"frame": self.decision.frame_index, "fps": self.fps, "num_frames": self.num_frames,
                    "command_frame": 0, "query": self.expression.text, "timeline": self.timeline})
        return rec


def _frames(dataset: DatasetFolder, video: VideoInfo, fps: float) -> Iterator[tuple[str, Frame, GroundTruth]]:
    """Each frame of ``video`` with its ground truth (an all-background label map where none is annotated)."""
    shape: tuple[int, int] | None = None
    for i, name in enumerate(video.frames):
        image = dataset.image(video.name, name)
        if shape is None:
            shape = image.shape[:2]
        frame = Frame(image, round(i * 1e9 / fps), "camera", i)
        yield name, frame, GroundTruth(frame.stamp_ns, labels=dataset.labels(video.name, name, shape))


@dataclass
class _Context:
    """What every video of one run shares: the models, loaded once, and where the output goes."""

    config: Config
    perception: Perception
    parser: QueryParser
    models: ModelRegistry
    writer: PredictionWriter
    mode: Mode
    progress: Callable[[int], None] | None
    on_result: ResultCallback | None

    def session(self, run: ExpressionRun) -> CommandSession:
        """A new command session with the expression's command given at frame 0."""
        session = new_session(self.config, self.models)
        try:
            start_command(self.parser, self.perception, session, run.expression.text)
        except InputError as err:
            run.decision = Decision(state="no_command", rationale=f"command refused: {err}")
        return session

    def produced(self, video: VideoInfo, run: ExpressionRun, name: str, frame: Frame, result: FrameResult) -> None:
        run.record(result)
        if self.on_result is not None:
            self.on_result(run, frame, result)
        # offline: the published masks go to online/, the submission masks (final decision) come in a second pass
        self.writer.write_mask(video.name, run.expression.exp_id, name, result.mask, online=self.mode == "offline")


def _prepare_out(out: Path, overwrite: bool) -> None:
    """``out`` must be missing or empty, unless ``overwrite``: then what a previous run wrote there is removed."""
    if out.exists() and not out.is_dir():
        raise InputError(f"output {str(out)!r} is a file; give a folder path for the predictions")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise InputError(f"output folder {str(out)!r} is not empty; choose a new folder or pass --overwrite to "
                             "replace a previous run's predictions")
        for sub in (MASKS, ONLINE):
            shutil.rmtree(out / sub, ignore_errors=True)
        for name in ("decisions.json", "submission.zip"):
            (out / name).unlink(missing_ok=True)


def run_dataset(dataset: DatasetFolder, out: str | Path, config: Config, *, mode: Mode = "online",
                perception: Perception | None = None,
                progress: Callable[[int], None] | None = None,
                on_result: ResultCallback | None = None, overwrite: bool = False) -> list[ExpressionRun]:
    """Run every expression of ``dataset``; write masks and ``decisions.json`` into ``out``.

    ``out`` must be missing or empty unless ``overwrite`` (which first removes a previous run's output).
    ``perception`` defaults to ``perception.backend``'s (:func:`~rvos_ros.runtime.models.load_perception`),
    loaded once and reset for every video; it gets each video's annotations as ground truth (the oracle reads
    them, real models ignore them; a dataset without ground truth is refused for the oracle). ``progress`` is
    called with the number of frames just processed (for a progress bar); ``on_result`` sees every
    (run, frame, result) as it is produced (the demo draws overlays with it).
    """
    if mode not in ("online", "offline"):
        raise InputError(f"unknown mode {mode!r}; use --mode online or --mode offline")
    out = Path(out)
    _prepare_out(out, overwrite)
    perception = perception if perception is not None else load_perception(config)
    if perception.reads_truth and not dataset.has_truth:
        raise InputError(f"{dataset.truth_problem} (the simulated perception, the ground-truth oracle, reads it; "
                         "run with --perception models)")
    # track ids are object ids only for the oracle without id switches: only then can decisions be checked by id
    track_ids = "object_ids" if perception.ids_are_object_ids else "stream"
    provenance = run_provenance(config, mode=mode, track_ids=track_ids, dataset=dataset.root, layout=dataset.layout)
    ctx = _Context(config, perception, QueryParser(max_chars=config.output.max_command_chars), ModelRegistry(config),
                   PredictionWriter(out, provenance), mode, progress, on_result)
    runs: list[ExpressionRun] = []
    by_video: dict[str, list[Expression]] = {}
    for e in dataset.expressions:
        by_video.setdefault(e.video, []).append(e)
    for video_name, exps in by_video.items():
        video = dataset.videos[video_name]
        fps = video.fps or config.runtime.fps
        video_runs = [ExpressionRun(e, fps) for e in exps]
        if ctx.perception.query_independent:
            _run_shared(ctx, dataset, video, video_runs)
        else:
            for run in video_runs:
                _run_alone(ctx, dataset, video, run)
        runs.extend(video_runs)
    for r in runs:
        ctx.writer.set_decision(r.expression.video, r.expression.exp_id, r.to_record())
    ctx.writer.close()
    ctx.models.close()
    return runs


def _new_stream(ctx: _Context, video: VideoInfo, observer: StreamObserver) -> None:
    observer.reset()
    observer.perception.set_query(None)  # a refused command must not inherit the previous expression's phrases
    observer.feed_truth(GroundTruth(categories=video.objects))


def _run_shared(ctx: _Context, dataset: DatasetFolder, video: VideoInfo, runs: list[ExpressionRun]) -> None:
    """One perception pass serves every expression of the video (the tracks do not depend on the command)."""
    fps = runs[0].fps
    observer = StreamObserver(ctx.config, ctx.perception)
    _new_stream(ctx, video, observer)
    sessions = [ctx.session(run) for run in runs]
    for name, frame, truth in _frames(dataset, video, fps):
        observer.feed_truth(truth)
        obs = observer.observe(frame)
        for session, run in zip(sessions, runs, strict=True):
            ctx.produced(video, run, name, frame, session.advance(frame, obs))
        if ctx.progress is not None:
            ctx.progress(len(runs))
    if ctx.mode == "offline":
        # the video is over: decide on everything seen, free of the online switch hysteresis
        for session, run in zip(sessions, runs, strict=True):
            if session.query is not None:
                run.finalize(session.final_decision())
        # second pass: the final decisions' targets on every frame (perception re-run from a clean stream)
        _new_stream(ctx, video, observer)
        for name, frame, truth in _frames(dataset, video, fps):
            observer.feed_truth(truth)
            tracks = ctx.perception.step(frame)
            for run in runs:
                ctx.writer.write_mask(video.name, run.expression.exp_id, name,
                                      target_mask(tracks, run.decision.targets, frame.image.shape[:2]))


def _run_alone(ctx: _Context, dataset: DatasetFolder, video: VideoInfo, run: ExpressionRun) -> None:
    """A query-dependent perception (the models detect the command's phrases): a pass of its own per expression.

    The perception is reset between expressions, so each starts from a clean
    stream, as it would on a robot given that command at frame 0.
    """
    observer = StreamObserver(ctx.config, ctx.perception)
    _new_stream(ctx, video, observer)
    session = ctx.session(run)
    for name, frame, truth in _frames(dataset, video, run.fps):
        observer.feed_truth(truth)
        ctx.produced(video, run, name, frame, session.advance(frame, observer.observe(frame)))
        if ctx.progress is not None:
            ctx.progress(1)
    if ctx.mode == "offline":
        if session.query is not None:
            run.finalize(session.final_decision())
        # second pass with the same command from a clean stream: the same frames give the same track ids
        query = session.query
        _new_stream(ctx, video, observer)
        ctx.perception.set_query(query)
        for name, frame, truth in _frames(dataset, video, run.fps):
            observer.feed_truth(truth)
            ctx.writer.write_mask(video.name, run.expression.exp_id, name,
                                  target_mask(ctx.perception.step(frame), run.decision.targets,
                                              frame.image.shape[:2]))
    session.close()
