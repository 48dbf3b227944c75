"""SAM2's tracker parts on ONNX Runtime: what :class:`StreamingTracker` calls, served by the exported graphs.

:class:`OrtSam2Parts` opens the folder :func:`rvos_ros.engines.sam2_export.export_sam2`
wrote and offers the four ``SAM2Base`` methods the tracker calls, with the
same signatures and the same torch tensors in and out:
``forward_image``, ``_prepare_backbone_features``, ``track_step`` and
``_encode_new_memory``; plus the memory settings the tracker's window reads
(``num_maskmem``, ``max_obj_ptrs_in_encoder``, ...). So
``StreamingTracker(None, parts=OrtSam2Parts(folder))`` tracks with ONNX
Runtime while keeping the tracker's own memory bank and pruning.

The glue here is SAM2's frame selection (which conditioning frames, which
recent frames, which object pointers and at which temporal offsets) done in
Python on the tracker's ``output_dict``, then packed into the memory
attention's fixed slots with validity flags. Only forward (live) tracking is
supported: ``track_in_reverse`` and ``prev_sam_mask_logits`` are errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rvos_ros.engines.export import SAM2_ENCODER_OUTPUTS
from rvos_ros.engines.onnx_runtime import OrtPart
from rvos_ros.engines.sam2_export import PART_FILES, SAM2_META
from rvos_ros.errors import EngineError

__all__ = ["OrtSam2Parts"]


def _np(x: Any) -> np.ndarray:
    """A torch tensor (any float dtype, e.g. the tracker's bfloat16 memories) as float32 numpy."""
    return x.detach().float().cpu().numpy()


class OrtSam2Parts:
    """The exported SAM2 parts in ``onnx_dir`` on ONNX Runtime, standing in for a ``SAM2Base`` in the tracker.

    ``providers``: an :mod:`rvos_ros.engines.onnx_runtime` runtime name
    (``cpu``, ``cuda``, ``tensorrt``) or a provider list; None means ``cpu``.
    ``threads``: intra-op threads per session (0 = onnxruntime's default).
    ``files``/``open_part``: other files for the four parts (part name → path,
    e.g. TensorRT engines built from these graphs) and what runs them (e.g.
    :class:`~rvos_ros.engines.tensorrt_build.TrtRunner`); default: the ONNX
    files in ``onnx_dir`` on ONNX Runtime.
    Raises :class:`EngineError` when a file is missing or unreadable.
    """

    def __init__(self, onnx_dir: str | Path, *, providers: str | Sequence[Any] | None = None,
                 threads: int = 0, files: dict[str, Path] | None = None,
                 open_part: Callable[[Path], Any] | None = None) -> None:
        self.onnx_dir = Path(onnx_dir)
        meta_path = self.onnx_dir / SAM2_META
        if not meta_path.is_file():
            raise EngineError(f"{str(meta_path)!r} does not exist: {str(self.onnx_dir)!r} holds no SAM2 export; "
                              "build it with `rvos-ros engines build --backend onnx`")
        try:
            self.meta: dict[str, Any] = json.loads(meta_path.read_text())
        except (OSError, ValueError) as err:
            raise EngineError(f"{str(meta_path)!r} is unreadable ({err}); rebuild the SAM2 engines") from err
        prov = "cpu" if providers is None else providers
        opener = open_part or (lambda path: OrtPart(path, providers=prov, threads=threads))
        paths = files or {name: self.onnx_dir / file for name, file in PART_FILES.items()}
        self.parts = {name: opener(Path(paths[name])) for name in PART_FILES}
        m = self.meta
        self.image_size = int(m["image_size"])
        self.num_maskmem = int(m["num_maskmem"])
        self.memory_temporal_stride_for_eval = int(m["memory_temporal_stride_for_eval"])
        self.max_obj_ptrs_in_encoder = int(m["max_obj_ptrs_in_encoder"])
        self.use_obj_ptrs_in_encoder = bool(m["use_obj_ptrs_in_encoder"])
        self.num_feature_levels = int(m["num_feature_levels"])
        self.hidden_dim, self.mem_dim = int(m["hidden_dim"]), int(m["mem_dim"])
        self.memory_slots, self.pointer_slots = int(m["memory_slots"]), int(m["pointer_slots"])
        self._no_mem_embed = np.asarray(m["no_mem_embed"], np.float32).reshape(1, -1, 1, 1)
        self._no_obj_ptr = np.asarray(m["no_obj_ptr"], np.float32).reshape(1, -1)

    # -- the SAM2Base methods the tracker calls ---------------------------------------------------------------

    def forward_image(self, img_batch: Any) -> dict[str, Any]:
        """``SAM2Base.forward_image`` for one normalized (1, 3, S, S) image: FPN levels + position encodings."""
        import torch

        out = self.parts["image_encoder"](image=_np(img_batch))
        dev = img_batch.device
        levels = [torch.from_numpy(out[k]).to(dev) for k in SAM2_ENCODER_OUTPUTS]
        return {"vision_features": levels[2], "backbone_fpn": levels[:3], "vision_pos_enc": levels[3:]}

    def _prepare_backbone_features(self, backbone_out: dict[str, Any]) -> tuple[dict[str, Any], list, list, list]:
        """``SAM2Base._prepare_backbone_features``: the last levels flattened to (HW, N, C)."""
        k = self.num_feature_levels
        maps, pos = backbone_out["backbone_fpn"][-k:], backbone_out["vision_pos_enc"][-k:]
        sizes = [(x.shape[-2], x.shape[-1]) for x in pos]
        return (dict(backbone_out), [x.flatten(2).permute(2, 0, 1) for x in maps],
                [x.flatten(2).permute(2, 0, 1) for x in pos], sizes)

    def track_step(self, frame_idx: int, is_init_cond_frame: bool, current_vision_feats: list,
                   current_vision_pos_embeds: list, feat_sizes: list, point_inputs: dict | None,
                   mask_inputs: Any | None, output_dict: dict, num_frames: int | None, track_in_reverse: bool = False,
                   run_mem_encoder: bool = True, prev_sam_mask_logits: Any | None = None) -> dict[str, Any]:
        """``SAM2Base.track_step`` (eval, forward in time) on the ONNX parts; same output dict."""
        import torch

        if track_in_reverse or prev_sam_mask_logits is not None:
            raise EngineError("the ONNX SAM2 parts track forward only (no track_in_reverse / prev_sam_mask_logits)")
        top = current_vision_feats[-1]
        dev = top.device
        n = int(top.shape[1])
        h, w = feat_sizes[-1]
        pix = _np(top).transpose(1, 2, 0).reshape(n, self.hidden_dim, h, w)
        high_res = [_np(x).transpose(1, 2, 0).reshape(n, -1, *s)
                    for x, s in zip(current_vision_feats[:-1], feat_sizes[:-1], strict=True)]
        if mask_inputs is not None:
            if not self.meta["use_mask_input_as_output_without_sam"]:
                raise EngineError("mask prompts through SAM (use_mask_input_as_output_without_sam=False) are not "
                                  "exported; use the torch backend")
            low, high, ptr, score = self._mask_as_output(pix, high_res, mask_inputs)
        else:
            if is_init_cond_frame:  # sam2's directly_add_no_mem_embed (the export refuses other configs)
                cond = pix + self._no_mem_embed
            else:
                cond = self._attend_memory(frame_idx, current_vision_feats[-1], current_vision_pos_embeds[-1],
                                           output_dict, num_frames)
            if point_inputs is not None:
                coords, labels = _np(point_inputs["point_coords"]), point_inputs["point_labels"].cpu().numpy()
            else:
                coords, labels = np.zeros((n, 1, 2), np.float32), -np.ones((n, 1), np.int32)
            multimask = self._use_multimask(is_init_cond_frame, point_inputs)
            out = self._decode(cond, high_res, coords, labels, None, multimask)
            low, high, ptr, score = (out[k] for k in ("low_res_masks", "high_res_masks", "obj_ptr",
                                                      "object_score_logits"))
        current = {"point_inputs": point_inputs, "mask_inputs": mask_inputs,
                   "pred_masks": torch.from_numpy(low).to(dev), "pred_masks_high_res": torch.from_numpy(high).to(dev),
                   "obj_ptr": torch.from_numpy(ptr).to(dev), "object_score_logits": torch.from_numpy(score).to(dev),
                   "maskmem_features": None, "maskmem_pos_enc": None}
        if run_mem_encoder and self.num_maskmem > 0:
            binarize = bool(self.meta["binarize_mask_from_pts_for_mem_enc"]) and point_inputs is not None
            feats, pos = self._encode(pix, high, score, binarize)
            current["maskmem_features"] = torch.from_numpy(feats).to(dev)
            current["maskmem_pos_enc"] = [torch.from_numpy(pos).to(dev)]
        return current

    def _encode_new_memory(self, current_vision_feats: list, feat_sizes: list, pred_masks_high_res: Any,
                           object_score_logits: Any, is_mask_from_pts: bool) -> tuple[Any, list]:
        """``SAM2Base._encode_new_memory``: (features (N, C_mem, h, w), [position encoding])."""
        import torch

        top = current_vision_feats[-1]
        n = int(top.shape[1])
        h, w = feat_sizes[-1]
        pix = _np(top).transpose(1, 2, 0).reshape(n, self.hidden_dim, h, w)
        binarize = bool(self.meta["binarize_mask_from_pts_for_mem_enc"]) and is_mask_from_pts
        feats, pos = self._encode(pix, _np(pred_masks_high_res), _np(object_score_logits), binarize)
        return torch.from_numpy(feats).to(top.device), [torch.from_numpy(pos).to(top.device)]

    # -- internals ----------------------------------------------------------------------------------------------

    def _use_multimask(self, is_init_cond_frame: bool, point_inputs: dict | None) -> bool:
        m = self.meta
        num_pts = 0 if point_inputs is None else int(point_inputs["point_labels"].shape[1])
        return bool(m["multimask_output_in_sam"] and (is_init_cond_frame or m["multimask_output_for_tracking"])
                    and m["multimask_min_pt_num"] <= num_pts <= m["multimask_max_pt_num"])

    def _decode(self, pix: np.ndarray, high_res: list[np.ndarray], coords: np.ndarray, labels: np.ndarray,
                mask: np.ndarray | None, multimask: bool) -> dict[str, np.ndarray]:
        n = pix.shape[0]
        s = self.image_size
        return self.parts["prompt_mask_decoder"](
            pix_feat=pix, high_res_0=high_res[0], high_res_1=high_res[1], point_coords=coords, point_labels=labels,
            mask_input=np.zeros((n, 1, s, s), np.float32) if mask is None else mask,
            use_mask=np.array([0.0 if mask is None else 1.0], np.float32),
            multimask=np.array([1.0 if multimask else 0.0], np.float32))

    def _encode(self, pix: np.ndarray, high: np.ndarray, score: np.ndarray, binarize: bool
                ) -> tuple[np.ndarray, np.ndarray]:
        out = self.parts["memory_encoder"](pix_feat=pix, high_res_masks=high, object_score_logits=score,
                                           binarize=np.array([1.0 if binarize else 0.0], np.float32))
        return out["maskmem_features"], out["maskmem_pos_enc"]

    def _mask_as_output(self, pix: np.ndarray, high_res: list[np.ndarray], mask_inputs: Any
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``SAM2Base._use_mask_as_output``: the mask itself as logits ±10; SAM only for the object pointer."""
        import torch
        import torch.nn.functional as F

        mask = mask_inputs.float().cpu()
        n = mask.shape[0]
        high = mask * 20.0 - 10.0
        # antialiased resizing has no ONNX opset-17 form: done here, it is a fixed filter with no weights
        low = F.interpolate(high, size=(high.shape[-2] // 4, high.shape[-1] // 4), mode="bilinear",
                            align_corners=False, antialias=True)
        out = self._decode(pix, high_res, np.zeros((n, 1, 2), np.float32), -np.ones((n, 1), np.int32),
                           mask.numpy(), multimask=False)
        appearing = torch.any(mask.flatten(1) > 0.0, dim=1)[:, None].float().numpy()
        ptr = out["obj_ptr"]
        if self.meta["fixed_no_obj_ptr"]:
            ptr = appearing * ptr
        ptr = ptr + (1 - appearing) * self._no_obj_ptr
        return low.numpy(), high.numpy(), ptr.astype(np.float32), (20.0 * appearing - 10.0).astype(np.float32)

    def _attend_memory(self, frame_idx: int, vision_feat: Any, vision_pos: Any, output_dict: dict,
                       num_frames: int | None) -> np.ndarray:
        """``_prepare_memory_conditioned_features`` for a tracked frame, packed into the fixed slots."""
        from sam2.modeling.sam2_utils import select_closest_cond_frames

        m = self.meta
        n = int(vision_feat.shape[1])
        cond = output_dict["cond_frame_outputs"]
        if not cond:
            raise EngineError(f"frame {frame_idx}: tracking needs at least one prompted frame in the memory")
        recent = output_dict["non_cond_frame_outputs"]
        selected, unselected = select_closest_cond_frames(frame_idx, cond, m["max_cond_frames_in_attn"])
        entries = [(0, out) for out in selected.values()]
        stride = max(1, self.memory_temporal_stride_for_eval)
        for t_pos in range(1, self.num_maskmem):
            t_rel = self.num_maskmem - t_pos
            prev = frame_idx - 1 if t_rel == 1 else ((frame_idx - 2) // stride) * stride - (t_rel - 2) * stride
            entries.append((t_pos, recent.get(prev, unselected.get(prev))))
        entries = [(t, out) for t, out in entries if out is not None and out.get("maskmem_features") is not None]
        if len(entries) > self.memory_slots:
            raise EngineError(f"frame {frame_idx} reads {len(entries)} memories but the exported memory attention "
                              f"has {self.memory_slots} slots; re-export with max_prompt_frames >= the tracker's")
        f = self.image_size // 16
        memory = np.zeros((n, self.memory_slots, self.mem_dim, f, f), np.float32)
        tpos = np.zeros(self.memory_slots, np.int64)
        valid = np.zeros(self.memory_slots, np.float32)
        for i, (t_pos, out) in enumerate(entries):
            memory[:, i] = _np(out["maskmem_features"])
            tpos[i] = self.num_maskmem - t_pos - 1
            valid[i] = 1.0
        pos_enc = _np(entries[0][1]["maskmem_pos_enc"][-1][0:1])
        ptrs, ptr_pos, ptr_valid = self._pointers(frame_idx, selected, unselected, recent, num_frames, n)
        out = self.parts["memory_attention"](
            vision_feat=_np(vision_feat), vision_pos=np.broadcast_to(_np(vision_pos), _np(vision_feat).shape),
            memory=memory, memory_pos_enc=pos_enc, memory_tpos=tpos, memory_valid=valid, obj_ptrs=ptrs,
            obj_ptr_pos=ptr_pos, obj_ptr_valid=ptr_valid)
        return out["pix_feat_with_mem"]

    def _pointers(self, frame_idx: int, selected: dict, unselected: dict, recent: dict, num_frames: int | None,
                  n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Object pointers and their normalized signed temporal offsets, padded to the pointer slots."""
        m = self.meta
        slots = self.pointer_slots
        ptrs = np.zeros((n, slots, self.hidden_dim), np.float32)
        pos = np.zeros(slots, np.float32)
        valid = np.zeros(slots, np.float32)
        if not self.use_obj_ptrs_in_encoder:
            return ptrs, pos, valid
        max_ptrs = self.max_obj_ptrs_in_encoder if num_frames is None else min(num_frames,
                                                                               self.max_obj_ptrs_in_encoder)
        past = {t: out for t, out in selected.items() if t <= frame_idx}
        found = [(frame_idx - t if m["use_signed_tpos_enc_to_obj_ptrs"] else abs(frame_idx - t), out["obj_ptr"])
                 for t, out in (past if m["only_obj_ptrs_in_the_past_for_eval"] else selected).items()]
        for t_diff in range(1, max_ptrs):
            t = frame_idx - t_diff
            if t < 0 or (num_frames is not None and t >= num_frames):
                break
            out = recent.get(t, unselected.get(t))
            if out is not None:
                found.append((t_diff, out["obj_ptr"]))
        found = [(p, ptr) for p, ptr in found if ptr is not None]
        if len(found) > slots:
            raise EngineError(f"frame {frame_idx} reads {len(found)} object pointers but the exported memory "
                              f"attention has {slots}; re-export with max_prompt_frames >= the tracker's")
        for i, (p, ptr) in enumerate(found):
            ptrs[:, i] = _np(ptr)
            pos[i] = np.float32(p) / np.float32(max(max_ptrs - 1, 1))
            valid[i] = 1.0
        return ptrs, pos, valid
