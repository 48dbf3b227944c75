"""ONNX export of the four SAM2 parts the streaming tracker runs, with static shapes where TensorRT wants them.

:func:`export_sam2` writes into one folder:

- ``image_encoder.onnx``: normalized image (1, 3, S, S) → three FPN levels and
  their position encodings (as ``SAM2Base.forward_image``; once per frame).
- ``prompt_mask_decoder.onnx``: prompt encoder + mask decoder + object-pointer
  head, per track (dynamic batch ``n``, dynamic number of prompt points).
  Both of SAM2's output modes are in the graph and the ``multimask`` input
  picks one (1: best of three masks, as on tracked frames; 0: one mask with
  the stability fallback, as for a box); ``use_mask`` swaps the dense prompt
  for an embedding of ``mask_input`` (a mask prompt).
- ``memory_attention.onnx``: the current frame's top-level features attended
  to a FIXED bank: ``memory_slots`` spatial memories and ``pointer_slots``
  object pointers, padded, with 0/1 validity inputs (padded keys get no
  attention weight), so the graph is static whatever the stream position.
- ``memory_encoder.onnx``: features + high-resolution mask → spatial memory.

Plus ``sam2_parts.json``: the model's memory settings and its three small
learned constants the glue needs (``no_mem_embed``, ``no_obj_ptr``), read by
:class:`rvos_ros.engines.sam2_runtime.OrtSam2Parts`.

The modules below re-state SAM2's computations with the same weights; the
only changes are ONNX-friendly forms: rotary encoding on real (cos, sin)
pairs instead of complex numbers, attention written out with a key mask, and
branch selection by ``torch.where`` on flag inputs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from rvos_ros.engines.export import export_sam2_image_encoder
from rvos_ros.errors import EngineError

__all__ = ["PART_FILES", "SAM2_META", "export_sam2", "sam2_part_modules", "slot_counts"]

PART_FILES = {"image_encoder": "image_encoder.onnx", "prompt_mask_decoder": "prompt_mask_decoder.onnx",
              "memory_attention": "memory_attention.onnx", "memory_encoder": "memory_encoder.onnx"}
SAM2_META = "sam2_parts.json"
NO_OBJ_SCORE = -1024.0  # sam2's logit for "no object" masks
_MASKED = -30000.0  # score of a padded key: exp() underflows to exactly 0, and it still fits in float16


def slot_counts(model: Any, max_prompt_frames: int) -> tuple[int, int]:
    """``(memory_slots, pointer_slots)``: the most spatial memories and object pointers SAM2 reads per frame.

    Spatial: every conditioning frame (at most ``max_prompt_frames``, or the
    model's ``max_cond_frames_in_attn``) plus ``num_maskmem - 1`` recent
    frames. Pointers: the conditioning frames' plus ``max_obj_ptrs_in_encoder - 1`` recent ones.
    """
    cond = max_prompt_frames if model.max_cond_frames_in_attn < 0 else min(max_prompt_frames,
                                                                           model.max_cond_frames_in_attn)
    mem = cond + int(model.num_maskmem) - 1
    ptrs = max_prompt_frames + int(model.max_obj_ptrs_in_encoder) - 1 if model.use_obj_ptrs_in_encoder else 0
    return mem, ptrs


def _check_supported(model: Any) -> None:
    """Refuse SAM2 variants whose code paths these graphs do not re-state."""
    needs = {"use_high_res_features_in_sam": True, "directly_add_no_mem_embed": True,
             "non_overlap_masks_for_mem_enc": False, "pred_obj_scores": True}
    wrong = [f"{k}={getattr(model, k, None)!r}" for k, v in needs.items() if bool(getattr(model, k, None)) != v]
    if int(model.num_maskmem) < 1:
        wrong.append(f"num_maskmem={model.num_maskmem}")
    if wrong:
        raise EngineError(f"this SAM2 config is not exportable here ({', '.join(wrong)}); the engines support "
                          "the SAM2/SAM2.1 video configs (high-res features, object scores, memory on); "
                          "use the torch backend")


def _rotate(x: Any, cos: Any, sin: Any) -> Any:
    """Rotary encoding of (..., N, D) by per-position angles given as cos/sin (N, D/2): sam2's complex product."""
    import torch

    pairs = x.reshape(*x.shape[:-1], x.shape[-1] // 2, 2)
    a, b = pairs[..., 0], pairs[..., 1]
    return torch.stack((a * cos - b * sin, a * sin + b * cos), dim=-1).flatten(-2)


def _modules(model: Any, image_size: int, memory_slots: int, pointer_slots: int) -> dict[str, Any]:
    import torch
    import torch.nn.functional as F
    from sam2.modeling.sam.transformer import RoPEAttention
    from sam2.modeling.sam2_utils import get_1d_sine_pe

    hidden, mem_dim = int(model.hidden_dim), int(model.mem_dim)
    feat = image_size // 16
    tokens_per_ptr = hidden // mem_dim if mem_dim < hidden else 1

    class PromptMaskDecoder(torch.nn.Module):
        """``SAM2Base._forward_sam_heads`` for both output modes at once; flags choose."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, pix_feat, high_res_0, high_res_1, point_coords, point_labels, mask_input, use_mask,
                    multimask):
            m = self.model
            dec = m.sam_mask_decoder
            sparse, dense = m.sam_prompt_encoder(points=(point_coords, point_labels), boxes=None, masks=None)
            dense_mask = m.sam_prompt_encoder._embed_masks(m.mask_downsample(mask_input))
            dense = torch.where(use_mask.reshape(1, 1, 1, 1) > 0.5, dense_mask, dense)
            masks, ious, tokens, score = dec.predict_masks(
                image_embeddings=pix_feat, image_pe=m.sam_prompt_encoder.get_dense_pe(),
                sparse_prompt_embeddings=sparse, dense_prompt_embeddings=dense, repeat_image=False,
                high_res_features=[high_res_0, high_res_1])
            n, _, h, w = masks.shape
            # multimask: the best of masks 1..3 by predicted IoU, and its own token when sam2 uses it
            best = torch.argmax(ious[:, 1:], dim=-1)
            multi_mask = torch.gather(masks[:, 1:], 1, best.reshape(n, 1, 1, 1).expand(n, 1, h, w))
            multi_iou = torch.gather(ious[:, 1:], 1, best.reshape(n, 1))
            multi_tok = tokens[:, 0:1]
            if dec.use_multimask_token_for_obj_ptr:
                multi_tok = torch.gather(tokens[:, 1:], 1, best.reshape(n, 1, 1).expand(n, 1, tokens.shape[-1]))
            if dec.dynamic_multimask_via_stability:
                single_mask, single_iou = dec._dynamic_multimask_via_stability(masks, ious)
            else:
                single_mask, single_iou = masks[:, 0:1], ious[:, 0:1]
            flag = multimask.reshape(1) > 0.5
            low = torch.where(flag.reshape(1, 1, 1, 1), multi_mask, single_mask)
            iou = torch.where(flag.reshape(1, 1), multi_iou, single_iou)
            token = torch.where(flag.reshape(1, 1), multi_tok[:, 0], tokens[:, 0])
            appearing = score > 0
            low = torch.where(appearing[:, :, None, None], low, torch.full_like(low, NO_OBJ_SCORE)).float()
            high = F.interpolate(low, size=(image_size, image_size), mode="bilinear", align_corners=False)
            ptr = m.obj_ptr_proj(token)
            lam = score.sigmoid() if m.soft_no_obj_ptr else appearing.float()
            if m.fixed_no_obj_ptr:
                ptr = lam * ptr
            ptr = ptr + (1 - lam) * m.no_obj_ptr
            return low, high, iou, ptr, score

    def rope_tables(attn: Any) -> tuple[Any, Any]:
        freqs = attn.compute_cis(end_x=feat, end_y=feat).cpu()
        return freqs.real.float().contiguous(), freqs.imag.float().contiguous()

    def attend(attn: Any, cos: Any, sin: Any, q: Any, k: Any, v: Any, n_exclude: int, key_ok: Any | None) -> Any:
        """``RoPEAttention.forward`` with keys masked by ``key_ok`` (Nk,) instead of all attended."""
        b, nq, _ = q.shape
        heads = attn.num_heads

        def split(x: Any) -> Any:
            return x.reshape(x.shape[0], x.shape[1], heads, x.shape[2] // heads).transpose(1, 2)

        q, k, v = split(attn.q_proj(q)), split(attn.k_proj(k)), split(attn.v_proj(v))
        q = _rotate(q, cos, sin)
        n_rope = k.shape[-2] - n_exclude
        repeat = n_rope // nq
        k_rot = _rotate(k[:, :, :n_rope], cos.repeat(repeat, 1), sin.repeat(repeat, 1))
        k = torch.cat((k_rot, k[:, :, n_rope:]), dim=2) if n_exclude else k_rot
        scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(q.shape[-1]))
        if key_ok is not None:
            scores = torch.where(key_ok.reshape(1, 1, 1, -1) > 0.5, scores, torch.full_like(scores, _MASKED))
        out = torch.matmul(torch.softmax(scores, dim=-1), v)
        return attn.out_proj(out.transpose(1, 2).reshape(b, nq, -1))

    class MemoryAttention(torch.nn.Module):
        """``_prepare_memory_conditioned_features`` (tracked frame) on a padded fixed-size memory bank."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model
            layers = model.memory_attention.layers
            for layer in layers:
                if not (isinstance(layer.self_attn, RoPEAttention) and isinstance(layer.cross_attn_image,
                                                                                   RoPEAttention)):
                    raise EngineError("SAM2 memory attention without RoPE attention is not exportable here; "
                                      "use the torch backend")
            tables = [(*rope_tables(x.self_attn), *rope_tables(x.cross_attn_image)) for x in layers]
            for i, t in enumerate(tables):
                for name, value in zip(("sa_cos", "sa_sin", "ca_cos", "ca_sin"), t, strict=True):
                    self.register_buffer(f"{name}{i}", value, persistent=False)

        def forward(self, vision_feat, vision_pos, memory, memory_pos_enc, memory_tpos, memory_valid, obj_ptrs,
                    obj_ptr_pos, obj_ptr_valid):
            m = self.model
            ma = m.memory_attention
            n, slots = memory.shape[0], memory.shape[1]
            hw = memory.shape[-2] * memory.shape[-1]
            mem = memory.flatten(3).permute(0, 1, 3, 2).reshape(n, slots * hw, mem_dim)
            base = memory_pos_enc.flatten(2).permute(0, 2, 1)  # (1, hw, C_mem)
            tpos = m.maskmem_tpos_enc.reshape(-1, mem_dim)[memory_tpos]  # (slots, C_mem)
            pos = (base + tpos[:, None, :]).reshape(1, slots * hw, mem_dim)
            ok = memory_valid.reshape(slots, 1).expand(slots, hw).reshape(-1)
            n_ptr_tokens = 0
            if pointer_slots:
                ptrs = obj_ptrs.reshape(n, pointer_slots * tokens_per_ptr, mem_dim)
                if m.add_tpos_enc_to_obj_ptrs:
                    dim = hidden if m.proj_tpos_enc_in_obj_ptrs else mem_dim
                    ppos = m.obj_ptr_tpos_proj(get_1d_sine_pe(obj_ptr_pos, dim=dim))
                else:
                    ppos = torch.zeros(pointer_slots, mem_dim, device=obj_ptrs.device)
                ppos = ppos[:, None, :].expand(pointer_slots, tokens_per_ptr, mem_dim).reshape(1, -1, mem_dim)
                mem = torch.cat((mem, ptrs), dim=1)
                pos = torch.cat((pos, ppos), dim=1)
                pok = obj_ptr_valid.reshape(pointer_slots, 1).expand(pointer_slots, tokens_per_ptr).reshape(-1)
                ok = torch.cat((ok, pok))
                n_ptr_tokens = pointer_slots * tokens_per_ptr
            pos = pos.expand(n, -1, -1)
            out = vision_feat.transpose(0, 1)
            query_pos = vision_pos.transpose(0, 1)
            if ma.pos_enc_at_input:
                out = out + 0.1 * query_pos
            for i, layer in enumerate(ma.layers):
                tgt2 = layer.norm1(out)
                qk = tgt2 + query_pos if layer.pos_enc_at_attn else tgt2
                out = out + attend(layer.self_attn, getattr(self, f"sa_cos{i}"), getattr(self, f"sa_sin{i}"),
                                   qk, qk, tgt2, 0, None)
                tgt2 = layer.norm2(out)
                q = tgt2 + query_pos if layer.pos_enc_at_cross_attn_queries else tgt2
                k = mem + pos if layer.pos_enc_at_cross_attn_keys else mem
                out = out + attend(layer.cross_attn_image, getattr(self, f"ca_cos{i}"), getattr(self, f"ca_sin{i}"),
                                   q, k, mem, n_ptr_tokens, ok)
                tgt2 = layer.norm3(out)
                out = out + layer.linear2(layer.activation(layer.linear1(tgt2)))
            out = ma.norm(out)  # (n, HW, C)
            return out.permute(0, 2, 1).reshape(n, hidden, feat, feat)

    class MemoryEncoder(torch.nn.Module):
        """``SAM2Base._encode_new_memory``; ``binarize`` 1 for prompted frames (masks thresholded, not sigmoid)."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, pix_feat, high_res_masks, object_score_logits, binarize):
            m = self.model
            mask = torch.where(binarize.reshape(1, 1, 1, 1) > 0.5, (high_res_masks > 0).float(),
                               torch.sigmoid(high_res_masks))
            mask = mask * m.sigmoid_scale_for_mem_enc + m.sigmoid_bias_for_mem_enc
            out = m.memory_encoder(pix_feat, mask, skip_mask_sigmoid=True)
            features = out["vision_features"]
            if m.no_obj_embed_spatial is not None:
                absent = 1 - (object_score_logits > 0).float()
                features = features + absent[..., None, None] * m.no_obj_embed_spatial[..., None, None]
            return features, out["vision_pos_enc"][-1]

    return {"prompt_mask_decoder": PromptMaskDecoder().eval(), "memory_attention": MemoryAttention().eval(),
            "memory_encoder": MemoryEncoder().eval()}


def sam2_part_modules(model: Any, *, image_size: int, max_prompt_frames: int = 2) -> dict[str, Any]:
    """The torch modules :func:`export_sam2` exports (except the image encoder), for comparisons."""
    _check_supported(model)
    return _modules(model, image_size, *slot_counts(model, max_prompt_frames))


def example_inputs(model: Any, *, image_size: int, max_prompt_frames: int = 2, n: int = 2, seed: int = 0
                   ) -> dict[str, dict[str, Any]]:
    """Random inputs of the right shapes for each exported per-track part (numpy, by input name)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    hidden, mem_dim, f = int(model.hidden_dim), int(model.mem_dim), image_size // 16
    slots, ptrs = slot_counts(model, max_prompt_frames)
    c0 = int(model.sam_mask_decoder.conv_s0.out_channels)
    c1 = int(model.sam_mask_decoder.conv_s1.out_channels)

    def r(*shape: int) -> Any:
        return rng.standard_normal(shape).astype(np.float32)

    valid = np.ones(slots, np.float32)
    valid[-1] = 0.0
    pvalid = np.ones(ptrs, np.float32)
    pvalid[ptrs // 2:] = 0.0
    return {
        "prompt_mask_decoder": {
            "pix_feat": r(n, hidden, f, f), "high_res_0": r(n, c0, 4 * f, 4 * f), "high_res_1": r(n, c1, 2 * f, 2 * f),
            "point_coords": (rng.random((n, 2, 2)) * image_size).astype(np.float32),
            "point_labels": np.tile(np.array([[2, 3]], np.int32), (n, 1)),
            "mask_input": np.zeros((n, 1, image_size, image_size), np.float32),
            "use_mask": np.zeros(1, np.float32), "multimask": np.zeros(1, np.float32)},
        "memory_attention": {
            "vision_feat": r(f * f, n, hidden), "vision_pos": r(f * f, n, hidden),
            "memory": r(n, slots, mem_dim, f, f), "memory_pos_enc": r(1, mem_dim, f, f),
            "memory_tpos": (np.arange(slots) % int(model.num_maskmem)).astype(np.int64), "memory_valid": valid,
            "obj_ptrs": r(n, ptrs, hidden), "obj_ptr_pos": np.linspace(-1, 1, ptrs).astype(np.float32),
            "obj_ptr_valid": pvalid},
        "memory_encoder": {
            "pix_feat": r(n, hidden, f, f), "high_res_masks": r(n, 1, image_size, image_size) * 5,
            "object_score_logits": r(n, 1), "binarize": np.zeros(1, np.float32)},
    }


_OUTPUTS = {"prompt_mask_decoder": ["low_res_masks", "high_res_masks", "iou", "obj_ptr", "object_score_logits"],
            "memory_attention": ["pix_feat_with_mem"],
            "memory_encoder": ["maskmem_features", "maskmem_pos_enc"]}
_DYNAMIC = {"prompt_mask_decoder": {"pix_feat": {0: "n"}, "high_res_0": {0: "n"}, "high_res_1": {0: "n"},
                                    "point_coords": {0: "n", 1: "points"}, "point_labels": {0: "n", 1: "points"},
                                    "mask_input": {0: "n"}, "low_res_masks": {0: "n"}, "high_res_masks": {0: "n"},
                                    "iou": {0: "n"}, "obj_ptr": {0: "n"}, "object_score_logits": {0: "n"}},
            "memory_attention": {"vision_feat": {1: "n"}, "vision_pos": {1: "n"}, "memory": {0: "n"},
                                 "obj_ptrs": {0: "n"}, "pix_feat_with_mem": {0: "n"}},
            "memory_encoder": {"pix_feat": {0: "n"}, "high_res_masks": {0: "n"}, "object_score_logits": {0: "n"},
                               "maskmem_features": {0: "n"}, "maskmem_pos_enc": {0: "n"}}}


def _meta(model: Any, image_size: int, max_prompt_frames: int, slots: int, ptrs: int) -> dict[str, Any]:
    names = ("num_maskmem", "memory_temporal_stride_for_eval", "max_obj_ptrs_in_encoder", "use_obj_ptrs_in_encoder",
             "only_obj_ptrs_in_the_past_for_eval", "use_signed_tpos_enc_to_obj_ptrs", "max_cond_frames_in_attn",
             "multimask_output_in_sam", "multimask_output_for_tracking", "multimask_min_pt_num",
             "multimask_max_pt_num", "use_mask_input_as_output_without_sam", "binarize_mask_from_pts_for_mem_enc",
             "num_feature_levels", "hidden_dim", "mem_dim", "fixed_no_obj_ptr", "soft_no_obj_ptr")
    meta: dict[str, Any] = {k: getattr(model, k) for k in names}
    meta.update(image_size=image_size, max_prompt_frames=max_prompt_frames, memory_slots=slots, pointer_slots=ptrs,
                no_mem_embed=model.no_mem_embed.detach().reshape(-1).tolist(),
                no_obj_ptr=model.no_obj_ptr.detach().reshape(-1).tolist())
    return meta


def export_sam2(model: Any, out_dir: Path, *, image_size: int, opset: int = 17, max_prompt_frames: int = 2
                ) -> dict[str, Path]:
    """Export SAM2's four tracker parts into ``out_dir``; returns ``{part name: path}`` (+ ``"meta"``).

    ``image_size``: the square input in pixels (multiple of 16, the model's
    ``image_size``). ``max_prompt_frames``: conditioning frames per object
    the memory attention has room for (``perception.tracker.max_prompt_frames``).
    Raises :class:`EngineError` for an unsupported config or a failed export.
    """
    import torch

    _check_supported(model)
    if int(model.image_size) != image_size:
        raise EngineError(f"image_size {image_size} differs from the model's {model.image_size}; build the model "
                          "with the image size to export (perception.tracker.image_size)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = model.cpu().eval()
    slots, ptrs = slot_counts(model, max_prompt_frames)
    modules = _modules(model, image_size, slots, ptrs)
    inputs = example_inputs(model, image_size=image_size, max_prompt_frames=max_prompt_frames)
    paths = {"image_encoder": export_sam2_image_encoder(model, out / PART_FILES["image_encoder"],
                                                        image_size=image_size, opset=opset)}
    for name, module in modules.items():
        path = out / PART_FILES[name]
        feeds = inputs[name]
        try:
            with torch.no_grad():
                torch.onnx.export(module, tuple(torch.from_numpy(v) for v in feeds.values()), str(path),
                                  dynamo=False, opset_version=opset, input_names=list(feeds),
                                  output_names=_OUTPUTS[name], dynamic_axes=_DYNAMIC[name])
        except Exception as err:  # the exporter raises many types; the message is what helps
            raise EngineError(f"exporting the SAM2 {name} failed ({type(err).__name__}: {err})") from err
        paths[name] = path
    meta = out / SAM2_META
    meta.write_text(json.dumps(_meta(model, image_size, max_prompt_frames, slots, ptrs), indent=1))
    paths["meta"] = meta
    return paths
