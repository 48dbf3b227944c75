"""The models perception backend (``perception.backend: models``): detector + SAM2 tracker + grounding.

:class:`ModelPerception` implements :class:`rvos_ros.perception.base.Perception`
with real models: an open-vocabulary :class:`~rvos_ros.perception.base.Detector`
on keyframes, a streaming :class:`~rvos_ros.perception.base.Tracker` on every
frame, and a :class:`~rvos_ros.perception.grounding.CandidateGrounder` tying
them into stable candidate tracks. What it tracks depends on the command (the
detector looks for the command's phrases), so it is not ``query_independent``:
each command on a video needs its own pass.

torch, transformers and sam2 are imported only by :meth:`ModelPerception.from_config`.
"""

from __future__ import annotations

from rvos_ros.config import Config, PerceptionConfig
from rvos_ros.errors import ModelError
from rvos_ros.models.detection import Detector
from rvos_ros.perception.base import GroundTruth, Tracker
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

    def __init__(self, detector: Detector, tracker: Tracker, config: PerceptionConfig | None = None) -> None:
        self.config = config if config is not None else PerceptionConfig()
        self.detector = detector
        self.tracker = tracker
        self.grounder = CandidateGrounder(detector, tracker, self.config.grounding,
                                          every_n_frames=self.config.detector.every_n_frames)

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
        return cls(detector, tracker, pc)

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
        return self.grounder.step(frame)

    def reset(self) -> None:
        """A new stream: forget tracks and tracker memory; keep the command's phrases (detect on the next frame)."""
        self.grounder.reset()
