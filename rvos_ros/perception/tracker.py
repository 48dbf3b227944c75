"""SAM2 streaming tracker: one image encoding per frame, a bounded memory bank per object.

:class:`StreamingTracker` implements :class:`rvos_ros.perception.base.Tracker` on
Meta's ``sam2`` package. Each :meth:`~StreamingTracker.step` resizes the frame
to the model's square input once, runs the image encoder once, then runs
SAM2's memory-conditioned ``track_step`` for every object on its own memory
bank (:mod:`rvos_ros.perception.sam2_memory`), exactly as
``SAM2VideoPredictor.propagate_in_video`` does for a video it holds in full,
but keeping only what later frames can read: no past images, no past
backbone features, no memories outside SAM2's window, at most
``max_prompt_frames`` prompted frames per object.

Masks come back at the input resolution: SAM2's low-resolution logits
(``image_size / 4`` square) upsampled bilinearly and thresholded at 0, after
filling background holes of at most ``fill_hole_area`` low-resolution pixels
(sam2 does this with a CUDA extension that is often missing; here it is
OpenCV, on the output only, so the memory sees what sam2 itself sees).

Each frame's time per SAM2 part (``encoder``, ``memory_attention``,
``decoder``: prompt encoder + mask decoder, ``memory_encoder``) is measured
around the parts themselves (forward hooks on the torch modules, wrappers
around an engine's parts) and read with :meth:`StreamingTracker.take_timings`.
On a GPU the clock synchronises the device at each part's start and end, so
a part's time is its own and not the time to queue its kernels.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from rvos_ros.config import TrackerConfig
from rvos_ros.errors import ConfigError, InputError
from rvos_ros.models.files import torch_device
from rvos_ros.models.sam2 import build_sam2, preprocess
from rvos_ros.perception.base import TrackState
from rvos_ros.perception.sam2_memory import (
    FrameMemory,
    MemoryWindow,
    TrackMemory,
    batched_output_dict,
    tensor_bytes,
)
from rvos_ros.types import Box

__all__ = ["STAGES", "StageClock", "StreamingTracker", "fill_small_holes", "install_stage_clock"]

DEFAULT_FILL_HOLE_AREA = 8
_AUTOCAST: dict[str, Any] = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}
"""Tracker precision → autocast dtype (None: plain fp32)."""
# sam2 caps object pointers at min(num_frames, max_obj_ptrs_in_encoder) and normalises their temporal
# encoding by that cap; a live stream has no length, so it is "longer than any pointer window"
_OPEN_ENDED_FRAMES = 1 << 30
_TORCH_PARTS = {"image_encoder": "encoder", "memory_attention": "memory_attention",
                "sam_prompt_encoder": "decoder", "sam_mask_decoder": "decoder", "memory_encoder": "memory_encoder"}
"""SAM2Base submodule -> stage name in the frame timings."""
_ENGINE_PARTS = {"image_encoder": "encoder", "memory_attention": "memory_attention",
                 "prompt_mask_decoder": "decoder", "memory_encoder": "memory_encoder"}
"""Engine part (``OrtSam2Parts.parts``) -> stage name."""
STAGES = ("encoder", "memory_attention", "decoder", "memory_encoder")
"""The tracker's stages in the frame timings."""


class StageClock:
    """Milliseconds per SAM2 stage since the last :meth:`take`; installed once on a model (or engine parts).

    A part called inside another timed part (an engine's memory encoder
    under ``_encode_new_memory``) is counted once, by the outer one.
    """

    def __init__(self, sync: Any = None) -> None:
        self.ms: dict[str, float] = {}
        self._sync = sync
        self._open: list[tuple[str, float]] = []

    def start(self, stage: str) -> None:
        if self._sync is not None:
            self._sync()
        self._open.append((stage, time.perf_counter()))

    def stop(self) -> None:
        if not self._open:
            return
        if self._sync is not None:
            self._sync()
        stage, t0 = self._open.pop()
        if not self._open:  # only the outermost part counts
            self.ms[stage] = self.ms.get(stage, 0.0) + (time.perf_counter() - t0) * 1e3

    def take(self) -> dict[str, float]:
        out, self.ms = self.ms, {}
        self._open = []  # a part that raised never stopped: do not let it swallow later frames
        return out


def install_stage_clock(sam: Any, device: torch.device) -> StageClock:
    """The :class:`StageClock` of ``sam`` (a SAM2Base or engine parts), installing it on first use."""
    clock = getattr(sam, "_rvos_stage_clock", None)
    if isinstance(clock, StageClock):
        return clock
    # the calling thread's stream only: a device-wide synchronize would also wait for the detector's work on its
    # worker thread's own stream, and so make the frame wait for the detector after all
    sync = (lambda: torch.cuda.current_stream(device).synchronize()) if device.type == "cuda" else None
    clock = StageClock(sync)
    if isinstance(sam, torch.nn.Module):
        for name, stage in _TORCH_PARTS.items():
            module = getattr(sam, name, None)
            if isinstance(module, torch.nn.Module):
                module.register_forward_pre_hook(lambda _m, _a, stage=stage: clock.start(stage))
                module.register_forward_hook(lambda _m, _a, _o: clock.stop())
    else:
        parts = getattr(sam, "parts", None)
        if isinstance(parts, dict):
            for name, stage in _ENGINE_PARTS.items():
                if name in parts:
                    parts[name] = _TimedPart(parts[name], stage, clock)
    try:
        sam._rvos_stage_clock = clock
    except AttributeError:  # an object that takes no attributes: timed per tracker, still correct
        pass
    return clock


class _TimedPart:
    """An engine part (a callable) whose calls the clock times; other attributes pass through."""

    def __init__(self, inner: Any, stage: str, clock: StageClock) -> None:
        self._inner, self._stage, self._clock = inner, stage, clock

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._clock.start(self._stage)
        try:
            return self._inner(*args, **kwargs)
        finally:
            self._clock.stop()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def fill_small_holes(logits: np.ndarray, max_area: int) -> np.ndarray:
    """SAM2's hole filling: background components (logit <= 0, 8-connected) of <= ``max_area`` pixels → 0.1.

    ``logits`` is one (h, w) mask-logit map; an empty mask is returned as is.
    """
    background = logits <= 0
    if max_area <= 0 or background.all():
        return logits
    n, labels, stats, _ = cv2.connectedComponentsWithStats(background.astype(np.uint8), connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] <= max_area
    small[0] = False  # label 0 is the foreground
    if not small.any():
        return logits
    return np.where(small[labels], np.float32(0.1), logits).astype(logits.dtype)


@dataclass
class _Frame:
    """The current frame: the encoder output every object's step and every prompt on this frame reuse."""

    index: int
    height: int
    width: int
    vision_feats: list[torch.Tensor]
    """Backbone levels, high resolution first, each (h*w, 1, C)."""
    vision_pos: list[torch.Tensor]
    """The top level's position encoding, (h*w, 1, C)."""
    feat_sizes: list[tuple[int, int]]


class StreamingTracker:
    """SAM2 multi-object tracker over an unbounded stream with constant memory per object.

    ``model`` is a ``SAM2Base`` (see :func:`build_sam2`). ``max_prompt_frames``
    prompted frames are kept per object (oldest dropped); an object whose
    object-score logit is at or below ``occluded_score`` is reported not
    visible; ``fill_hole_area`` is in low-resolution mask pixels (0 disables).
    ``batch_tracks`` steps objects whose memories have the same layout (e.g.
    prompted on the same frames) as one batch: several times faster with many
    objects, equal to one-by-one up to float rounding (off: bit-identical to
    sam2's video predictor, which steps objects one by one).

    ``device``: where the model runs (a spec such as "cuda" or a torch.device);
    None (default) keeps the model on its own device. ``precision``: "fp32",
    or "bf16" / "fp16" to run the torch model under autocast (memories are
    stored in bfloat16 either way, as sam2's video predictor does); "auto"
    (default): bf16 on CUDA, fp32 on a CPU.

    ``parts``: another backend for SAM2's four parts (image encoder, memory
    attention, prompt encoder + mask decoder, memory encoder), e.g.
    :class:`rvos_ros.engines.sam2_runtime.OrtSam2Parts`; it offers the
    ``SAM2Base`` methods the tracker calls and ``model`` may then be None.
    None (default): the torch ``model`` runs them.
    """

    def __init__(self, model: Any, *, max_prompt_frames: int = 2, occluded_score: float = 0.0,
                 device: Any = None, fill_hole_area: int = DEFAULT_FILL_HOLE_AREA, batch_tracks: bool = True,
                 parts: Any | None = None, precision: str = "auto") -> None:
        if max_prompt_frames < 1:
            raise ConfigError(f"max_prompt_frames must be >= 1, got {max_prompt_frames}")
        if fill_hole_area < 0:
            raise ConfigError(f"fill_hole_area must be >= 0 pixels, got {fill_hole_area}")
        if precision not in (*_AUTOCAST, "auto"):
            raise ConfigError(f"tracker precision must be auto or one of {sorted(_AUTOCAST)}, got {precision!r}")
        if device is None:  # stay where the model is (a CUDA model must not be moved to the CPU unasked)
            device = next(model.parameters()).device if model is not None else "cpu"
        self.device = torch_device(device) if isinstance(device, str) else torch.device(device)
        if model is None and parts is None:
            raise ConfigError("StreamingTracker needs a SAM2 model or parts= (e.g. OrtSam2Parts)")
        self.model = None if model is None else model.to(self.device).eval()
        if precision == "auto":
            precision = "bf16" if self.device.type == "cuda" else "fp32"
        self.precision = precision
        """The resolved precision: fp32, bf16 or fp16."""
        if precision == "fp16" and self.device.type != "cuda" and parts is None:
            raise ConfigError("tracker precision fp16 needs a CUDA device (CPU autocast has no fp16 for SAM2's "
                              "operations); use bf16 or fp32 on a CPU")
        # what runs SAM2's parts: the torch model itself unless another backend is given
        sam = parts if parts is not None else self.model
        assert sam is not None  # checked above
        self.sam: Any = sam
        self.image_size = int(self.sam.image_size)
        self.max_prompt_frames = max_prompt_frames
        self.occluded_score = float(occluded_score)
        self.fill_hole_area = int(fill_hole_area)
        self.batch_tracks = batch_tracks
        self.window = MemoryWindow.of_model(self.sam)
        self._tracks: dict[int, TrackMemory] = {}  # one memory bank per object id
        self._frame: _Frame | None = None
        self._next_index = 0
        self._pos_enc: list[torch.Tensor] | None = None  # same for every frame and object: kept once
        self._clock = install_stage_clock(self.sam, self.device)
        self._clock.take()  # a model shared with an earlier tracker: its untaken times are not ours

    @classmethod
    def from_config(cls, cfg: TrackerConfig, *, models_dir: str | Path, device: Any = "auto",
                    parts: Any | None = None) -> StreamingTracker:
        """Build the SAM2 model named by ``cfg`` (``model_config``, ``checkpoint``, ``image_size``) and wrap it.

        ``device``: a ``perception.device`` spec (auto, cpu, cuda, cuda:1) or a torch.device.
        ``parts``: another backend for SAM2's parts (see the class); no torch model is built then.
        """
        dev = torch_device(device) if isinstance(device, str) else torch.device(device)
        model = None if parts is not None else build_sam2(cfg.model_config, cfg.checkpoint, image_size=cfg.image_size,
                                                          models_dir=models_dir, device=dev)
        return cls(model, max_prompt_frames=cfg.max_prompt_frames, occluded_score=cfg.occluded_score,
                   device=dev, fill_hole_area=cfg.fill_hole_area, batch_tracks=cfg.batch_tracks, parts=parts,
                   precision=cfg.precision)

    # -- the Tracker protocol -------------------------------------------------------------------------------

    def step(self, image: np.ndarray) -> dict[int, TrackState]:
        """Encode a new RGB uint8 (H, W, 3) frame once and propagate every object onto it."""
        self._check_image(image)
        h, w = image.shape[:2]
        index = self._next_index
        with torch.inference_mode(), self._autocast():
            x = preprocess(image, self.image_size, self.device)
            backbone = self.sam.forward_image(x)
            _, feats, pos, sizes = self.sam._prepare_backbone_features(backbone)
            # replaces the previous frame's features; only the top level's position encoding is ever read
            self._frame = _Frame(index, h, w, feats, pos[-1:], sizes)
            self._next_index = index + 1
            states = {}
            for ids in self._batches():
                for track_id, (low_res, score) in zip(ids, self._track(index, ids), strict=True):
                    states[track_id] = self._state(low_res, score)
        return {track_id: states[track_id] for track_id in self._tracks}

    def add(self, track_id: int, *, box: Box | None = None, mask: np.ndarray | None = None) -> TrackState:
        """Prompt ``track_id`` on the current frame with a pixel box ``(x1, y1, x2, y2)`` or a boolean (H, W) mask.

        A new id starts a track; an existing id is re-prompted: its output on
        this frame is replaced by the prompt's (SAM on this frame alone, not
        biased by the possibly drifted memory) and the frame becomes one of
        its conditioning frames. Other objects' memories are untouched.
        """
        frame = self._frame
        if frame is None:
            raise InputError(f"cannot prompt track {track_id}: no frame yet; call step(image) first")
        if (box is None) == (mask is None):
            raise InputError(f"prompt track {track_id} with exactly one of box= or mask=")
        point_inputs = mask_inputs = None
        if box is not None:
            point_inputs = self._box_prompt(track_id, box, frame)
        else:
            mask_inputs = self._mask_prompt(track_id, mask, frame)
        with torch.inference_mode(), self._autocast():
            memory = self._tracks.get(track_id, TrackMemory())
            out = self.sam.track_step(
                frame_idx=frame.index, is_init_cond_frame=True, current_vision_feats=frame.vision_feats,
                current_vision_pos_embeds=frame.vision_pos, feat_sizes=frame.feat_sizes, point_inputs=point_inputs,
                mask_inputs=mask_inputs, output_dict=memory.sam2_output_dict(self._pos_enc),
                num_frames=_OPEN_ENDED_FRAMES, track_in_reverse=False, run_mem_encoder=False)
            # sam2 encodes a prompted frame's memory from its low-res logits, binarised (see _VIDEO_OVERRIDES)
            high_res = F.interpolate(out["pred_masks"], size=(self.image_size, self.image_size), mode="bilinear",
                                     align_corners=False)
            features, pos_enc = self.sam._encode_new_memory(
                current_vision_feats=frame.vision_feats, feat_sizes=frame.feat_sizes, pred_masks_high_res=high_res,
                object_score_logits=out["object_score_logits"], is_mask_from_pts=True)
            memory.add_prompt(frame.index, self._remember(features, pos_enc, out["obj_ptr"]), self.max_prompt_frames)
            self.window.prune(memory, frame.index + 1)
            self._tracks[track_id] = memory
            return self._state(out["pred_masks"], out["object_score_logits"])

    def remove(self, track_id: int) -> None:
        """Forget one object; the others keep their memory. An unknown id is an InputError."""
        if track_id not in self._tracks:
            raise InputError(f"cannot remove track {track_id}: not tracked (tracked: {sorted(self._tracks)})")
        del self._tracks[track_id]

    def reset(self) -> None:
        """Forget every object and frame; the next step starts a new stream (any image size)."""
        self._tracks.clear()
        self._frame = None
        self._next_index = 0
        self._pos_enc = None

    # -- introspection --------------------------------------------------------------------------------------

    def take_timings(self) -> dict[str, float]:
        """Milliseconds per stage (:data:`STAGES`) since the last call: what the last step and prompts cost."""
        return self._clock.take()

    @property
    def track_ids(self) -> list[int]:
        """The tracked object ids, in the order they were added."""
        return list(self._tracks)

    @property
    def frame_index(self) -> int | None:
        """Stream position of the current frame (0 for the first), None before the first step."""
        return None if self._frame is None else self._frame.index

    def prompt_frames(self, track_id: int) -> list[int]:
        """Frame indices of ``track_id``'s conditioning (prompted) frames, oldest first."""
        if track_id not in self._tracks:
            raise InputError(f"track {track_id} is not tracked (tracked: {sorted(self._tracks)})")
        return sorted(self._tracks[track_id].prompts)

    def state_bytes(self) -> int:
        """Bytes of every tensor the tracker holds: memory banks, the current frame's features, constants."""
        tensors: list[Any] = [t for memory in self._tracks.values() for t in memory.tensors()]
        if self._frame is not None:
            tensors += [*self._frame.vision_feats, *self._frame.vision_pos]
        tensors += self._pos_enc or []
        return tensor_bytes(tensors)

    # -- internals ------------------------------------------------------------------------------------------

    def _batches(self) -> list[list[int]]:
        """Track ids grouped so that each group is one ``track_step`` (same memory layout), in add order."""
        if not self.batch_tracks:
            return [[track_id] for track_id in self._tracks]
        groups: dict[tuple[Any, ...], list[int]] = {}
        for track_id, memory in self._tracks.items():
            groups.setdefault(memory.layout(), []).append(track_id)
        return list(groups.values())

    def _track(self, index: int, ids: list[int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Propagate the objects ``ids`` onto the current frame in one batch; remember the frame; prune.

        Returns each object's (1, 1, S/4, S/4) mask logits and (1, 1) object-score logit.
        """
        frame = self._frame
        assert frame is not None
        banks = [self._tracks[i] for i in ids]
        n = len(ids)
        # the frame's features shared by the batch, as sam2 expands them for several objects
        feats = [x.expand(-1, n, -1) for x in frame.vision_feats]
        pos = [x.expand(-1, n, -1) for x in frame.vision_pos]
        out = self.sam.track_step(
            frame_idx=index, is_init_cond_frame=False, current_vision_feats=feats, current_vision_pos_embeds=pos,
            feat_sizes=frame.feat_sizes, point_inputs=None, mask_inputs=None,
            output_dict=batched_output_dict(banks, self._pos_enc), num_frames=_OPEN_ENDED_FRAMES,
            track_in_reverse=False, run_mem_encoder=True)
        memory = self._remember(out["maskmem_features"], out["maskmem_pos_enc"], out["obj_ptr"])
        results = []
        for k, bank in enumerate(banks):
            bank.recent[index] = memory if n == 1 else memory.row(k)
            self.window.prune(bank, index + 1)
            results.append((out["pred_masks"][k:k + 1], out["object_score_logits"][k:k + 1]))
        return results

    def _autocast(self) -> Any:
        """The torch model under ``precision`` (nothing for fp32, or when another backend runs the parts)."""
        dtype = _AUTOCAST[self.precision]
        if dtype is None or self.model is None or self.sam is not self.model:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=dtype)

    def _remember(self, features: torch.Tensor | None, pos_enc: list[torch.Tensor] | None,
                  obj_ptr: torch.Tensor | None) -> FrameMemory:
        if pos_enc is not None and self._pos_enc is None:
            self._pos_enc = [p[0:1].clone() for p in pos_enc]
        # bfloat16 like sam2's video predictor stores it: half the bytes, identical results
        feats = None if features is None else features.to(torch.bfloat16)
        return FrameMemory(features=feats, obj_ptr=obj_ptr if self.window.max_obj_ptrs > 0 else None)

    def _state(self, low_res: torch.Tensor, score: torch.Tensor) -> TrackState:
        frame = self._frame
        assert frame is not None
        logits = low_res
        if self.fill_hole_area > 0:
            filled = fill_small_holes(low_res[0, 0].float().cpu().numpy(), self.fill_hole_area)
            logits = torch.from_numpy(filled).to(low_res.device)[None, None]
        full = F.interpolate(logits, size=(frame.height, frame.width), mode="bilinear", align_corners=False)
        value = float(score.reshape(-1)[0].item())
        return TrackState(mask=(full[0, 0] > 0).cpu().numpy(), score=value, visible=value > self.occluded_score)

    def _check_image(self, image: np.ndarray) -> None:
        if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            what = (f"{image.dtype} array of shape {image.shape}" if isinstance(image, np.ndarray)
                    else type(image).__name__)
            raise InputError(f"tracker image must be an RGB uint8 (H, W, 3) array, got {what}")
        if image.shape[0] < 1 or image.shape[1] < 1:
            raise InputError(f"tracker image is empty ({image.shape[1]}x{image.shape[0]})")
        f = self._frame
        if f is not None and image.shape[:2] != (f.height, f.width):
            raise InputError(f"tracker image is {image.shape[1]}x{image.shape[0]} but this stream is "
                             f"{f.width}x{f.height}; call reset() before a stream of another size")

    def _box_prompt(self, track_id: int, box: Box, frame: _Frame) -> dict[str, torch.Tensor]:
        try:
            coords = [float(v) for v in box]
        except (TypeError, ValueError) as err:
            raise InputError(f"box for track {track_id} must be 4 numbers (x1, y1, x2, y2), got {box!r}") from err
        if len(coords) != 4 or not all(math.isfinite(v) for v in coords):
            raise InputError(f"box for track {track_id} must be 4 finite numbers (x1, y1, x2, y2), got {box!r}")
        x1, x2 = (min(max(v, 0.0), float(frame.width)) for v in coords[0::2])
        y1, y2 = (min(max(v, 0.0), float(frame.height)) for v in coords[1::2])
        if x2 <= x1 or y2 <= y1:
            raise InputError(f"box {box!r} for track {track_id} is empty or outside the {frame.width}x{frame.height} "
                             "image; give (x1, y1, x2, y2) pixels with x1 < x2, y1 < y2")
        # as SAM2VideoPredictor.add_new_points_or_box: corners labelled 2 and 3, scaled to the model input
        points = torch.tensor([x1, y1, x2, y2], dtype=torch.float32).reshape(1, 2, 2)
        points = points / torch.tensor([frame.width, frame.height]) * self.image_size
        labels = torch.tensor([[2, 3]], dtype=torch.int32)
        return {"point_coords": points.to(self.device), "point_labels": labels.to(self.device)}

    def _mask_prompt(self, track_id: int, mask: np.ndarray | None, frame: _Frame) -> torch.Tensor:
        m = np.asarray(mask)
        if m.shape != (frame.height, frame.width):
            raise InputError(f"mask for track {track_id} has shape {m.shape}, expected the frame's "
                             f"{(frame.height, frame.width)}")
        m = m.astype(bool)
        if not m.any():
            raise InputError(f"mask for track {track_id} is empty; prompt with at least one foreground pixel")
        x = torch.from_numpy(m).to(self.device).float()[None, None]
        if x.shape[-2:] != (self.image_size, self.image_size):
            # as SAM2VideoPredictor.add_new_mask
            x = F.interpolate(x, size=(self.image_size, self.image_size), mode="bilinear", align_corners=False,
                              antialias=True)
            x = (x >= 0.5).float()
        return x
