"""The SAM2 memory bank of one tracked object, and the rule that keeps it bounded.

SAM2 conditions each new frame on (``SAM2Base._prepare_memory_conditioned_features``):

- every *conditioning* (prompted) frame: its spatial memory and its object pointer;
- the spatial memories of the last ``num_maskmem - 1`` non-conditioning frames
  (with ``memory_temporal_stride_for_eval`` r > 1: the frame just before, plus
  ``num_maskmem - 2`` frames on the r-grid);
- the object pointers of the last ``max_obj_ptrs_in_encoder - 1`` frames.

Nothing older is ever read again, so :meth:`MemoryWindow.prune` drops it after
each frame: the results are identical to keeping everything, and the memory
held per object is constant however long the stream runs. Prompted frames are
capped separately (:meth:`TrackMemory.add_prompt`).

Frame indices are stream positions (0, 1, 2, ...); only their differences
matter to SAM2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["FrameMemory", "MemoryWindow", "TrackMemory", "batched_output_dict", "tensor_bytes"]


def tensor_bytes(tensors: Any) -> int:
    """Bytes of the storages behind ``tensors`` (an iterable of tensors or None), each storage counted once."""
    seen: set[int] = set()
    total = 0
    for t in tensors:
        if t is None:
            continue
        storage = t.untyped_storage()
        if storage.data_ptr() not in seen:
            seen.add(storage.data_ptr())
            total += storage.nbytes()
    return total


@dataclass
class FrameMemory:
    """What SAM2 remembers of one object on one frame.

    ``features``: spatial memory (1, C_mem, S/16, S/16), bfloat16 as sam2's
    video predictor stores it; None once it is too old to be read.
    ``obj_ptr``: object pointer (1, C); None when the model uses no pointers.
    """

    features: Any | None
    obj_ptr: Any | None

    def row(self, k: int) -> FrameMemory:
        """Object ``k`` of a batched memory, copied so it does not keep the batch alive."""
        return FrameMemory(features=None if self.features is None else self.features[k:k + 1].clone(),
                           obj_ptr=None if self.obj_ptr is None else self.obj_ptr[k:k + 1].clone())

    def sam2_output(self, pos_enc: list[Any] | None) -> dict[str, Any]:
        """The per-frame output dict that ``SAM2Base.track_step`` reads from its memory bank."""
        return {"maskmem_features": self.features, "maskmem_pos_enc": pos_enc, "obj_ptr": self.obj_ptr}


@dataclass
class TrackMemory:
    """The memory bank of one object: prompted frames and recent tracked frames, by frame index."""

    prompts: dict[int, FrameMemory] = field(default_factory=dict)
    """Conditioning frames (box or mask prompts), oldest first."""
    recent: dict[int, FrameMemory] = field(default_factory=dict)
    """Non-conditioning (tracked) frames still inside the memory window."""

    def add_prompt(self, frame: int, memory: FrameMemory, max_prompts: int) -> None:
        """Make ``frame`` a conditioning frame (replacing any output there); keep at most ``max_prompts``.

        An evicted prompt becomes an ordinary tracked frame, as sam2 does when a
        prompt is cleared, so it is still read while inside the window.
        """
        self.recent.pop(frame, None)
        self.prompts[frame] = memory
        while len(self.prompts) > max_prompts:
            oldest = min(self.prompts)
            self.recent[oldest] = self.prompts.pop(oldest)

    def sam2_output_dict(self, pos_enc: list[Any] | None) -> dict[str, dict[int, dict[str, Any]]]:
        """This bank in the layout ``SAM2Base.track_step`` expects as ``output_dict``."""
        return {
            "cond_frame_outputs": {t: m.sam2_output(pos_enc) for t, m in self.prompts.items()},
            "non_cond_frame_outputs": {t: m.sam2_output(pos_enc) for t, m in self.recent.items()},
        }

    def layout(self) -> tuple[Any, ...]:
        """What SAM2 would read, without the values: banks with equal layouts can be stepped as one batch."""
        recent = tuple((t, m.features is not None, m.obj_ptr is not None) for t, m in sorted(self.recent.items()))
        return tuple(self.prompts), recent

    def tensors(self) -> list[Any]:
        """Every tensor this bank holds."""
        return [t for m in (*self.prompts.values(), *self.recent.values()) for t in (m.features, m.obj_ptr)]


def batched_output_dict(banks: list[TrackMemory], pos_enc: list[Any] | None) -> dict[str, dict[int, Any]]:
    """Banks of one :meth:`TrackMemory.layout` stacked along the batch axis, as ``track_step`` reads a batch."""
    if len(banks) == 1:
        return banks[0].sam2_output_dict(pos_enc)
    import torch

    def stack(frames: list[FrameMemory]) -> FrameMemory:
        feats, ptrs = [m.features for m in frames], [m.obj_ptr for m in frames]
        # a bank has features for all its frames or for none (same for pointers): the check on [0] covers all
        return FrameMemory(features=None if feats[0] is None else torch.cat([f for f in feats if f is not None]),
                           obj_ptr=None if ptrs[0] is None else torch.cat([p for p in ptrs if p is not None]))

    pos = None if pos_enc is None else [p.expand(len(banks), -1, -1, -1) for p in pos_enc]
    first = banks[0]
    return {
        "cond_frame_outputs": {t: stack([b.prompts[t] for b in banks]).sam2_output(pos) for t in first.prompts},
        "non_cond_frame_outputs": {t: stack([b.recent[t] for b in banks]).sam2_output(pos) for t in first.recent},
    }


@dataclass(frozen=True)
class MemoryWindow:
    """Which past frames SAM2 can still read, from the model's memory settings."""

    num_maskmem: int
    """``SAM2Base.num_maskmem``: 1 current + (num_maskmem - 1) remembered frames; 0 disables memory."""
    stride: int = 1
    """``SAM2Base.memory_temporal_stride_for_eval``."""
    max_obj_ptrs: int = 0
    """``SAM2Base.max_obj_ptrs_in_encoder`` when the model uses object pointers, else 0."""

    @classmethod
    def of_model(cls, model: Any) -> MemoryWindow:
        """The window of a ``SAM2Base`` in eval mode."""
        ptrs = int(model.max_obj_ptrs_in_encoder) if model.use_obj_ptrs_in_encoder else 0
        return cls(num_maskmem=int(model.num_maskmem), stride=max(1, int(model.memory_temporal_stride_for_eval)),
                   max_obj_ptrs=ptrs)

    def feature_frames(self, frame: int) -> set[int]:
        """The non-conditioning frames whose spatial memory SAM2 reads when it tracks ``frame``."""
        if self.num_maskmem <= 1:
            return set()
        r = self.stride
        grid = ((frame - 2) // r) * r
        return {frame - 1} | {grid - (t_rel - 2) * r for t_rel in range(2, self.num_maskmem)}

    def keeps_features(self, t: int, next_frame: int) -> bool:
        """Whether frame ``t``'s spatial memory can be read by ``next_frame`` or any later frame.

        Exactly the frames ``next_frame`` reads: a later frame reads the frame
        just before it (not seen yet) and r-grid frames, and every r-grid frame
        it reads that is already seen, ``next_frame`` reads too.
        """
        return t in self.feature_frames(next_frame)

    def keeps_pointer(self, t: int, next_frame: int) -> bool:
        """Whether frame ``t``'s object pointer can be read by ``next_frame`` or any later frame."""
        return self.max_obj_ptrs > 0 and t > next_frame - self.max_obj_ptrs

    def prune(self, memory: TrackMemory, next_frame: int) -> None:
        """Drop from ``memory`` what neither ``next_frame`` nor any later frame reads (prompts are kept)."""
        read = self.feature_frames(next_frame)
        for t in list(memory.recent):
            m = memory.recent[t]
            if m.features is not None and t not in read:
                m.features = None
            if m.obj_ptr is not None and not self.keeps_pointer(t, next_frame):
                m.obj_ptr = None
            if m.features is None and m.obj_ptr is None:
                del memory.recent[t]
