"""Replay a bag through the runtime, deterministically, into an output bag.

Every camera frame gives exactly one set of outputs stamped with its own
header. Commands apply from the camera frames that follow them in log time;
``command`` (the ``--command`` option) replaces the bag's command topic.
Ground-truth labels stamped like a camera frame are matched to it even when
they are logged just after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rvos_ros.bag.reader import BagEvent, BagInput, BagTopics
from rvos_ros.bag.writer import OutputBag
from rvos_ros.config import Config
from rvos_ros.errors import BagError, RvosError
from rvos_ros.interface.overlay import draw_overlay
from rvos_ros.perception.base import GroundTruth, Perception
from rvos_ros.runtime import Runtime, load_perception
from rvos_ros.types import Decision, FrameResult

__all__ = ["ReplaySummary", "replay"]


_KEEP_FAULTS = 20
"""Frame faults listed in full in a summary (a bag with a persistent fault would otherwise list every frame)."""


@dataclass
class ReplaySummary:
    """What a replay did."""

    frames: int = 0
    commands: int = 0
    errors: list[str] = field(default_factory=list)
    decisions: list[tuple[int, Decision]] = field(default_factory=list)
    """Each change of (state, targets), with the frame it happened on."""
    truncated: str = ""
    final: Decision = field(default_factory=Decision)
    frame_faults: int = 0
    """Frames on which perception or reasoning failed (published with the last decision; the first few are
    in ``errors``)."""

    def rows(self) -> list[tuple[str, object]]:
        rows: list[tuple[str, object]] = [("frames", self.frames), ("commands", self.commands),
                                          ("bad messages", len(self.errors) - min(self.frame_faults, _KEEP_FAULTS)),
                                          ("frames with faults", self.frame_faults),
                                          ("final state", self.final.state),
                                          ("final targets", list(self.final.targets))]
        if self.truncated:
            rows.append(("stopped early", self.truncated))
        return rows


def _grouped(events: Iterator[BagEvent]) -> Iterator[list[BagEvent]]:
    """Group events that share a log time, so labels logged with their frame are fed before it is processed."""
    group: list[BagEvent] = []
    for e in events:
        if group and e.log_ns != group[0].log_ns:
            yield group
            group = []
        group.append(e)
    if group:
        yield group


def replay(bag: str | Path, out: str | Path, config: Config, *, topics: BagTopics | None = None,
           command: str | None = None, storage: str = "mcap",
           progress: Callable[[int], None] | None = None, perception: Perception | None = None) -> ReplaySummary:
    """Replay ``bag`` into the output bag folder ``out``; returns a summary.

    ``perception`` defaults to ``perception.backend``: the simulated oracle
    (fed from the bag's ground-truth topics) or the models (detector + SAM2,
    loaded from the config; the ground-truth topics are then ignored).
    """
    summary = ReplaySummary()
    last_decision: Decision | None = None
    with BagInput(bag, topics or BagTopics()) as source, OutputBag(out, storage=storage,  # type: ignore[arg-type]
                                                    overlay=config.output.overlay) as sink:
        # the bag is checked first: a wrong path or topic is said before any model loads
        runtime = Runtime(config, perception if perception is not None else load_perception(config))
        if command is not None:
            runtime.set_command(command)
            summary.commands += 1
        try:
            for group in _grouped(source.events()):
                frames = []
                for e in sorted(group, key=lambda e: e.kind != "objects"):
                    if e.kind == "objects" and e.categories is not None:
                        runtime.feed_truth(GroundTruth(categories=e.categories))
                    elif e.kind == "labels" and e.labels is not None:
                        runtime.feed_truth(GroundTruth(e.stamp_ns, labels=e.labels))
                    elif e.kind == "command" and command is None:
                        try:
                            runtime.set_command(e.text)
                            summary.commands += 1
                        except RvosError as err:  # a bad command, or perception refusing its phrases
                            summary.errors.append(f"command at {e.log_ns} ns refused: {err}")
                    elif e.kind == "error":
                        summary.errors.append(e.text)
                    elif e.kind == "image" and e.frame is not None:
                        frames.append(e.frame)
                # a frame's own labels may be logged in the same group: feed all first, then step
                for frame in frames:
                    result = runtime.step(frame)
                    _write(sink, result, frame.image, runtime.command, config)
                    summary.frames += 1
                    if result.error:
                        summary.frame_faults += 1
                        if summary.frame_faults <= _KEEP_FAULTS:
                            summary.errors.append(f"frame {result.frame_index}: {result.error}")
                    if last_decision is None or (result.decision.state, result.decision.targets) != (
                            last_decision.state, last_decision.targets):
                        summary.decisions.append((result.frame_index, result.decision))
                        last_decision = result.decision
                    summary.final = result.decision
                    if progress is not None:
                        progress(1)
        except BagError as err:
            summary.truncated = f"{err}; wrote the {summary.frames} frames read before that"
    return summary


def _write(sink: OutputBag, result: FrameResult, image, command: str, config: Config) -> None:
    overlay = draw_overlay(image, result, command) if config.output.overlay else None
    sink.write(result, overlay)
