"""The models perception backend (``perception.backend: models``): detector + SAM2 tracker + grounding.

:class:`ModelPerception` implements :class:`rvos_ros.perception.base.Perception`
with real models: an open-vocabulary :class:`~rvos_ros.perception.base.Detector`
on keyframes, a streaming :class:`~rvos_ros.perception.base.Tracker` on every
frame, and a :class:`~rvos_ros.perception.grounding.CandidateGrounder` tying
them into stable candidate tracks. What it tracks depends on the command (the
detector looks for the command's phrases), so it is not ``query_independent``:
each command on a video needs its own pass.

In live mode (``runtime.mode: live``; ``asynchronous=True``) the detector
runs on its own worker thread and no frame waits for it (see
:mod:`rvos_ros.perception.grounding`, "Asynchronous detection"); in
deterministic mode it runs inline on the keyframe, so two runs give the same
masks and ids. :meth:`ModelPerception.frame_report` gives each frame's time
per stage (detector, SAM2 encoder, memory attention, decoder, memory encoder).

torch, transformers and sam2 are imported only by :meth:`ModelPerception.from_config`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from rvos_ros.config import Config, PerceptionConfig
from rvos_ros.errors import ModelError
from rvos_ros.models.detection import Detector
from rvos_ros.perception.base import GroundTruth, PerceptionReport, Tracker
from rvos_ros.perception.grounding import CandidateGrounder
from rvos_ros.perception.phrases import query_phrases
from rvos_ros.types import Frame, ParsedQuery, Track

__all__ = ["ModelPerception"]


class ModelPerception:
    """Candidate grounding with real models; reports every tracked candidate of the current command.

    ``step`` returns one :class:`~rvos_ros.types.Track` per live candidate:
    ``label`` is the detector phrase it matched, ``score`` an average of its
    detection scores, ``box`` its mask's pixel box (the last known box while
    occluded, with ``visible`` False and ``mask`` None), ``mask`` boolean (H, W).
    A model failing on a frame raises :class:`~rvos_ros.errors.ModelError`; the
    runtime's caller reports it and goes on with the next frame.
    """

    query_independent = False
    reads_truth = False
    ids_are_object_ids = False

    def __init__(self, detector: Detector, tracker: Tracker, config: PerceptionConfig | None = None, *,
                 asynchronous: bool = False, detect_context: Callable[[], Any] | None = None) -> None:
        """``asynchronous``: detect on a worker thread (live mode); ``detect_context``: what each detection runs
        in there (a side CUDA stream on a GPU)."""
        self.config = config if config is not None else PerceptionConfig()
        self.detector = detector
        self.tracker = tracker
        self.grounder = CandidateGrounder(detector, tracker, self.config.grounding,
                                          every_n_frames=self.config.detector.every_n_frames,
                                          asynchronous=asynchronous, detect_context=detect_context)
        self._report = PerceptionReport()

    @classmethod
    def from_config(cls, config: Config) -> ModelPerception:
        """Load the configured tracker and detector onto ``perception.device`` (nothing downloads).

        Raises :class:`~rvos_ros.errors.ConfigError` / :class:`ModelError` naming
        the missing weights and the ``rvos-ros models pull`` fix, and
        :class:`ModelError` when the models extra (torch, transformers, sam2) is
        not installed.
        """
        pc = config.perception
        try:
            from rvos_ros.models.detectors import build_detector
            from rvos_ros.models.files import torch_device
            from rvos_ros.perception.tracker import StreamingTracker

            device = torch_device(pc.device)
        except ImportError as err:
            raise ModelError(f"perception.backend 'models' needs torch, transformers and sam2 ({err}); "
                             "install them with `pip install rvos_ros[models]`, or use the simulated backend"
                             ) from err
        # the tracker first: a missing checkpoint is found without touching the (slower) detector files
        parts = None
        if config.engines.tracker != "torch":
            from rvos_ros.engines.select import load_sam2_parts

            parts = load_sam2_parts(config)  # refused with the rebuild command when not built for these weights
        tracker = StreamingTracker.from_config(pc.tracker, models_dir=pc.models_dir, device=device, parts=parts)
        if config.engines.detector != "torch":
            from rvos_ros.engines.select import load_detector

            detector = load_detector(config, device=device)
        else:
            detector = build_detector(pc.detector, models_dir=pc.models_dir, device=device)
        live = config.runtime.mode == "live"
        return cls(detector, tracker, pc, asynchronous=live, detect_context=_side_stream(device) if live else None)

    problem = ""
    """Loaded models can always work (a fault on one frame is reported with that frame)."""

    def feed_truth(self, truth: GroundTruth) -> None:
        """Ground truth is the oracle's; real models ignore it."""

    @property
    def phrases(self) -> tuple[str, ...]:
        """What the detector currently looks for (empty without a command)."""
        return self.grounder.phrases

    def set_query(self, query: ParsedQuery | None) -> None:
        """A new command: detect its phrases from the next frame on; ``None`` clears every track.

        Tracks whose label is not among the new phrases are removed: they are
        the previous command's candidates, which the reasoner must not pick for
        this command and which would cost tracker time on every frame. Tracks
        whose label is still asked for keep their id and memory, so a
        follow-up command ("no, the other dog") continues without re-acquiring.
        """
        if query is None:
            self.grounder.clear()
            return
        phrases = query_phrases(query)
        self.grounder.set_phrases(phrases)
        self.grounder.retain_labels(phrases)

    def step(self, frame: Frame) -> tuple[Track, ...]:
        """Track every candidate on ``frame``, sorted by id."""
        self._report = PerceptionReport()
        take = getattr(self.tracker, "take_timings", None)
        try:
            tracks = self.grounder.step(frame)
        finally:
            timings = dict(take()) if callable(take) else {}
        g = self.grounder
        if g.detector_ms is not None:
            timings["detector"] = g.detector_ms
        self._report = PerceptionReport(timings, g.error, g.searching, g.waited_for_detector)
        return tracks

    def frame_report(self) -> PerceptionReport:
        """Stage timings, a non-fatal fault, ``searching`` and detector waits of the last ``step``."""
        return self._report

    def set_limits(self, *, detector_period_factor: int = 1, max_tracks: int | None = None,
                   keep: Sequence[int] = ()) -> None:
        """The frame budget's limits (keyframe period factor, track cap keeping ``keep`` first)."""
        self.grounder.set_limits(detector_period_factor=detector_period_factor, max_tracks=max_tracks, keep=keep)

    def reset(self) -> None:
        """A new stream: forget tracks and tracker memory; keep the command's phrases (detect on the next frame)."""
        self.grounder.reset()

    def close(self) -> None:
        """Stop the detection worker (live mode); idempotent. A later frame starts it again."""
        self.grounder.close()


def _side_stream(device: Any) -> Callable[[], Any] | None:
    """On CUDA: a context putting the detector's kernels on their own stream (made once, on the worker thread),
    so they do not queue behind the tracker's on the default stream. None elsewhere."""
    import torch

    if getattr(device, "type", str(device)) != "cuda":
        return None
    streams: list[Any] = []

    def context() -> Any:
        if not streams:
            streams.append(torch.cuda.Stream(device=device))
        stream = streams[0]

        @contextlib.contextmanager
        def run() -> Any:
            with torch.cuda.stream(stream):
                yield
            stream.synchronize()  # results are read on the frame thread: finished before they are handed over

        return run()

    return context
