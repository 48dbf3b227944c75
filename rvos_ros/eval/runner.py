"""Run the pipeline over a dataset folder and write a prediction folder.

Every expression is a command given at frame 0 of its video. ``online`` mode
writes each frame's causal mask (frame t uses frames ≤ t, as on a robot);
``offline`` mode re-applies each expression's final decision to every frame,
as the RVOS benchmarks score. Frames are read one at a time; nothing keeps a
whole video in memory.

A query-independent perception (the simulated oracle) runs once per video and
serves all its expressions in lockstep; a query-dependent one (the models,
which detect the command's phrases) runs one pass per expression, reset in
between.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from rvos_ros.config import Config
from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import DatasetFolder, Expression, PredictionWriter, VideoInfo
from rvos_ros.perception.base import Perception
from rvos_ros.perception.simulated import SimulatedPerception
from rvos_ros.runtime import Runtime
from rvos_ros.types import Decision, Frame, FrameResult, Track

__all__ = ["ExpressionRun", "PerceptionFactory", "backend_factory", "models_factory", "run_dataset",
           "simulated_factory"]

PerceptionFactory = Callable[[VideoInfo], Perception]
Mode = Literal["online", "offline"]
ResultCallback = Callable[["ExpressionRun", Frame, FrameResult], None]


def simulated_factory(config: Config) -> PerceptionFactory:
    """Simulated perception reading each video's annotations, labels from meta.json."""

    def make(video: VideoInfo) -> Perception:
        return SimulatedPerception(config.perception, video.objects)

    return make


def models_factory(config: Config) -> PerceptionFactory:
    """The models perception (detector + SAM2), loaded once on first use and reset for every video."""
    loaded: list[Perception] = []

    def make(video: VideoInfo) -> Perception:
        if not loaded:
            from rvos_ros.perception.models import ModelPerception

            loaded.append(ModelPerception.from_config(config))
        loaded[0].reset()
        return loaded[0]

    return make


def backend_factory(config: Config) -> PerceptionFactory:
    """The factory for ``perception.backend``: the simulated oracle or the real models."""
    return models_factory(config) if config.perception.backend == "models" else simulated_factory(config)


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
        """Replace the final decision (offline mode), recording the change in the timeline."""
        self._note(decision, decision.frame_index)

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


def _frames(dataset: DatasetFolder, video: VideoInfo, fps: float):
    shape: tuple[int, int] | None = None
    for i, name in enumerate(video.frames):
        image = dataset.image(video.name, name)
        if shape is None:
            shape = image.shape[:2]
        labels = dataset.labels(video.name, name, shape)
        yield name, Frame(image, round(i * 1e9 / fps), "camera", i), labels


def _feed(perception: Perception, frame: Frame, labels: np.ndarray) -> None:
    if isinstance(perception, SimulatedPerception):
        perception.feed_labels(frame.stamp_ns, labels)


def run_dataset(dataset: DatasetFolder, out: str | Path, config: Config, *, mode: Mode = "online",
                perception_factory: PerceptionFactory | None = None,
                progress: Callable[[int], None] | None = None,
                on_result: ResultCallback | None = None) -> list[ExpressionRun]:
    """Run every expression of ``dataset``; write masks and ``decisions.json`` into ``out``.

    ``perception_factory`` defaults to ``perception.backend``'s (:func:`backend_factory`);
    ``progress`` is called with the number of frames just processed (for a progress bar);
    ``on_result`` sees every (run, frame, result) as it is produced (the demo draws overlays with it).
    """
    if mode not in ("online", "offline"):
        raise InputError(f"unknown mode {mode!r}; use --mode online or --mode offline")
    factory = perception_factory or backend_factory(config)
    writer = PredictionWriter(out)
    runs: list[ExpressionRun] = []
    by_video: dict[str, list[Expression]] = {}
    for e in dataset.expressions:
        by_video.setdefault(e.video, []).append(e)
    for video_name, exps in by_video.items():
        video = dataset.videos[video_name]
        fps = video.fps or config.runtime.fps
        video_runs = [ExpressionRun(e, fps) for e in exps]
        _run_video(dataset, video, video_runs, config, factory, writer, mode, progress, on_result)
        runs.extend(video_runs)
    for r in runs:
        writer.set_decision(r.expression.video, r.expression.exp_id, r.to_record())
    writer.close()
    return runs


def _run_video(dataset: DatasetFolder, video: VideoInfo, runs: list[ExpressionRun], config: Config,
               factory: PerceptionFactory, writer: PredictionWriter, mode: Mode,
               progress: Callable[[int], None] | None, on_result: ResultCallback | None) -> None:
    perception = factory(video)
    if perception.query_independent:
        _run_shared(dataset, video, runs, config, perception, factory, writer, mode, progress, on_result)
    else:
        for run in runs:
            _run_alone(dataset, video, run, config, perception, writer, mode, progress, on_result)


def _run_shared(dataset: DatasetFolder, video: VideoInfo, runs: list[ExpressionRun], config: Config,
                perception: Perception, factory: PerceptionFactory, writer: PredictionWriter, mode: Mode,
                progress: Callable[[int], None] | None, on_result: ResultCallback | None) -> None:
    """One perception pass serves every expression of the video (the tracks do not depend on the command)."""
    fps = runs[0].fps
    observer = Runtime(config, perception)
    runtimes = [Runtime(config, perception, parser=observer.parser) for _ in runs]
    for rt, run in zip(runtimes, runs, strict=True):
        _command(rt, run)
    for name, frame, labels in _frames(dataset, video, fps):
        _feed(perception, frame, labels)
        obs = observer.observe(frame)
        for rt, run in zip(runtimes, runs, strict=True):
            result = rt.advance(frame, obs)
            run.record(result)
            if on_result is not None:
                on_result(run, frame, result)
            if mode == "online":
                writer.write_mask(video.name, run.expression.exp_id, name, result.mask)
        if progress is not None:
            progress(len(runs))
    if mode == "offline":
        # the video is over: decide on everything seen, free of the online switch hysteresis
        for rt, run in zip(runtimes, runs, strict=True):
            if rt.query is not None:
                run.finalize(rt.final_decision())
        _write_offline(dataset, video, runs, factory, writer, fps)


def _run_alone(dataset: DatasetFolder, video: VideoInfo, run: ExpressionRun, config: Config,
               perception: Perception, writer: PredictionWriter, mode: Mode,
               progress: Callable[[int], None] | None, on_result: ResultCallback | None) -> None:
    """A query-dependent perception (the models detect the command's phrases): a pass of its own per expression.

    The perception is reset between expressions, so each starts from a clean
    stream, as it would on a robot given that command at frame 0.
    """
    perception.reset()
    perception.set_query(None)  # a refused command must not inherit the previous expression's phrases
    rt = Runtime(config, perception)
    _command(rt, run)
    for name, frame, labels in _frames(dataset, video, run.fps):
        _feed(perception, frame, labels)
        result = rt.step(frame)
        run.record(result)
        if on_result is not None:
            on_result(run, frame, result)
        if mode == "online":
            writer.write_mask(video.name, run.expression.exp_id, name, result.mask)
        if progress is not None:
            progress(1)
    if mode == "offline":
        if rt.query is not None:
            run.finalize(rt.final_decision())
        # second pass with the same command from a clean stream: the same frames give the same track ids
        perception.reset()
        perception.set_query(rt.query)
        targets = set(run.decision.targets)
        for name, frame, labels in _frames(dataset, video, run.fps):
            _feed(perception, frame, labels)
            writer.write_mask(video.name, run.expression.exp_id, name,
                              _target_mask(perception.step(frame), targets, frame.image.shape[:2]))


def _command(rt: Runtime, run: ExpressionRun) -> None:
    try:
        rt.set_command(run.expression.text)
    except InputError as err:
        run.decision = Decision(state="no_command", rationale=f"command refused: {err}")


def _target_mask(tracks: tuple[Track, ...], targets: set[int], shape: tuple[int, int]) -> np.ndarray:
    mask = np.zeros(shape, bool)
    for t in tracks:
        if t.id in targets and t.visible and t.mask is not None and t.mask.shape == shape:
            mask |= t.mask
    return mask


def _write_offline(dataset: DatasetFolder, video: VideoInfo, runs: list[ExpressionRun], factory: PerceptionFactory,
                   writer: PredictionWriter, fps: float) -> None:
    """Second pass: the final decision's targets on every frame (perception re-run, nothing stored)."""
    perception = factory(video)
    for name, frame, labels in _frames(dataset, video, fps):
        _feed(perception, frame, labels)
        tracks = perception.step(frame)
        for run in runs:
            writer.write_mask(video.name, run.expression.exp_id, name,
                              _target_mask(tracks, set(run.decision.targets), frame.image.shape[:2]))
