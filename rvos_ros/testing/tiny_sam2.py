"""A tiny random-weight SAM2 for tests and the tracker benchmark, plus Meta's own video predictor beside it.

:func:`build_tiny_sam2` writes a SAM2 model config (the same YAML layout as
Meta's ``configs/sam2.1/*.yaml``, with a few channels and one or two blocks
per stage) and a checkpoint ``{"model": state_dict}``, so tests load them back
through :meth:`StreamingTracker.from_config` like the robot loads the real
model. The weights are random (fixed seed) with two biases so that the
outputs are worth comparing: the object-score head says "present" and the
mask tokens are shifted so that about a quarter of the image is foreground,
so masks are non-empty, not full, and vary with the image.

:func:`official_predictor` and :func:`official_state` build
``sam2.sam2_video_predictor.SAM2VideoPredictor`` from the same files and feed
it already-preprocessed frames, so a conformance test compares tracking
logic only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
import yaml

if TYPE_CHECKING:
    from sam2.modeling.sam2_base import SAM2Base

TINY_HIDDEN = 32  # SAM heads need hidden_dim divisible by 8 (8 attention heads)
TINY_MEM = 16  # memory channels; divides TINY_HIDDEN (object pointers split into 2 tokens)


def tiny_sam2_config(image_size: int = 64, *, num_maskmem: int = 3, max_obj_ptrs: int = 4,
                     memory_stride: int = 1) -> dict[str, Any]:
    """The model section of a tiny SAM2.1-style config: Hiera with 8 channels, stages (1, 2, 1, 1)."""
    pos = {"_target_": "sam2.modeling.position_encoding.PositionEmbeddingSine", "normalize": True,
           "scale": None, "temperature": 10000}
    rope = {"_target_": "sam2.modeling.sam.transformer.RoPEAttention", "rope_theta": 10000.0,
            "feat_sizes": [image_size // 16, image_size // 16], "embedding_dim": TINY_HIDDEN, "num_heads": 1,
            "downsample_rate": 1, "dropout": 0.1}
    return {
        "_target_": "sam2.modeling.sam2_base.SAM2Base",
        "image_encoder": {
            "_target_": "sam2.modeling.backbones.image_encoder.ImageEncoder",
            "scalp": 1,
            # the global-attention block is the 2nd of stage 2: a stage's first block pools and must be windowed
            "trunk": {"_target_": "sam2.modeling.backbones.hieradet.Hiera", "embed_dim": 8, "num_heads": 1,
                      "stages": [1, 2, 1, 1], "global_att_blocks": [2], "window_spec": [8, 4, 4, 2],
                      "window_pos_embed_bkg_spatial_size": [4, 4]},
            "neck": {"_target_": "sam2.modeling.backbones.image_encoder.FpnNeck",
                     "position_encoding": {**pos, "num_pos_feats": TINY_HIDDEN}, "d_model": TINY_HIDDEN,
                     "backbone_channel_list": [64, 32, 16, 8], "fpn_top_down_levels": [2, 3],
                     "fpn_interp_model": "nearest"},
        },
        "memory_attention": {
            "_target_": "sam2.modeling.memory_attention.MemoryAttention", "d_model": TINY_HIDDEN,
            "pos_enc_at_input": True, "num_layers": 1,
            "layer": {"_target_": "sam2.modeling.memory_attention.MemoryAttentionLayer", "activation": "relu",
                      "dim_feedforward": 64, "dropout": 0.1, "pos_enc_at_attn": False, "d_model": TINY_HIDDEN,
                      "pos_enc_at_cross_attn_keys": True, "pos_enc_at_cross_attn_queries": False,
                      "self_attention": rope,
                      "cross_attention": {**rope, "rope_k_repeat": True, "kv_in_dim": TINY_MEM}},
        },
        "memory_encoder": {
            "_target_": "sam2.modeling.memory_encoder.MemoryEncoder", "out_dim": TINY_MEM, "in_dim": TINY_HIDDEN,
            "position_encoding": {**pos, "num_pos_feats": TINY_MEM},
            "mask_downsampler": {"_target_": "sam2.modeling.memory_encoder.MaskDownSampler", "kernel_size": 3,
                                 "stride": 2, "padding": 1, "embed_dim": TINY_HIDDEN},
            "fuser": {"_target_": "sam2.modeling.memory_encoder.Fuser", "num_layers": 1,
                      "layer": {"_target_": "sam2.modeling.memory_encoder.CXBlock", "dim": TINY_HIDDEN,
                                "kernel_size": 7, "padding": 3, "layer_scale_init_value": 1e-6,
                                "use_dwconv": True}},
        },
        "num_maskmem": num_maskmem,
        "max_obj_ptrs_in_encoder": max_obj_ptrs,
        "memory_temporal_stride_for_eval": memory_stride,
        "image_size": image_size,
        "sigmoid_scale_for_mem_enc": 20.0,
        "sigmoid_bias_for_mem_enc": -10.0,
        "use_mask_input_as_output_without_sam": True,
        "directly_add_no_mem_embed": True,
        "no_obj_embed_spatial": True,
        "use_high_res_features_in_sam": True,
        "multimask_output_in_sam": True,
        "iou_prediction_use_sigmoid": True,
        "use_obj_ptrs_in_encoder": True,
        "add_tpos_enc_to_obj_ptrs": True,
        "proj_tpos_enc_in_obj_ptrs": True,
        "use_signed_tpos_enc_to_obj_ptrs": True,
        "only_obj_ptrs_in_the_past_for_eval": True,
        "pred_obj_scores": True,
        "pred_obj_scores_mlp": True,
        "fixed_no_obj_ptr": True,
        "multimask_output_for_tracking": True,
        "use_multimask_token_for_obj_ptr": True,
        "multimask_min_pt_num": 0,
        "multimask_max_pt_num": 1,
        "use_mlp_for_obj_ptr_proj": True,
        "compile_image_encoder": False,
    }


def _bias_towards_objects(model: SAM2Base) -> None:
    """Make a random model see an object: positive object scores, mask logits above zero on ~25% of the image."""
    decoder = model.sam_mask_decoder
    with torch.no_grad():
        decoder.pred_obj_score_head.layers[-1].bias.fill_(6.0)
        for mlp in decoder.output_hypernetworks_mlps:
            mlp.layers[-1].bias.add_(-0.3)


def write_tiny_sam2(yaml_path: Path, ckpt_path: Path, *, image_size: int = 64, num_maskmem: int = 3,
                    max_obj_ptrs: int = 4, memory_stride: int = 1, seed: int = 0) -> None:
    """Write the config YAML and a ``{"model": state_dict}`` checkpoint of a seeded, biased tiny SAM2."""
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    cfg = {"model": tiny_sam2_config(image_size, num_maskmem=num_maskmem, max_obj_ptrs=max_obj_ptrs,
                                     memory_stride=memory_stride)}
    yaml_path.write_text("# @package _global_\n" + yaml.safe_dump(cfg, sort_keys=False))
    torch.manual_seed(seed)
    model = instantiate(OmegaConf.create(cfg).model, _recursive_=True)
    _bias_towards_objects(model)
    torch.save({"model": model.state_dict()}, ckpt_path)


def build_tiny_sam2(tmp_path: Path, image_size: int = 64, *, num_maskmem: int = 3, max_obj_ptrs: int = 4,
                    memory_stride: int = 1, seed: int = 0) -> tuple[Path, Path]:
    """``(yaml_path, ckpt_path)`` of a tiny SAM2 written into ``tmp_path``.

    ``num_maskmem``, ``max_obj_ptrs`` and ``memory_stride`` are SAM2's memory
    window (``num_maskmem``, ``max_obj_ptrs_in_encoder``,
    ``memory_temporal_stride_for_eval``); small values make pruning bite early.
    """
    yaml_path, ckpt_path = Path(tmp_path) / "tiny_sam2.yaml", Path(tmp_path) / "tiny_sam2.pt"
    write_tiny_sam2(yaml_path, ckpt_path, image_size=image_size, num_maskmem=num_maskmem,
                    max_obj_ptrs=max_obj_ptrs, memory_stride=memory_stride, seed=seed)
    return yaml_path, ckpt_path


def official_predictor(yaml_path: Path, ckpt_path: Path, *, image_size: int | None = None) -> Any:
    """Meta's ``SAM2VideoPredictor`` on the same config and checkpoint, with ``build_sam2_video_predictor``'s
    post-processing overrides (hole filling off: without the CUDA extension sam2 skips it anyway)."""
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    cfg = OmegaConf.load(yaml_path)
    cfg.model._target_ = "sam2.sam2_video_predictor.SAM2VideoPredictor"
    if image_size is not None:
        cfg.model.image_size = image_size
    cfg.model.sam_mask_decoder_extra_args = {"dynamic_multimask_via_stability": True,
                                             "dynamic_multimask_stability_delta": 0.05,
                                             "dynamic_multimask_stability_thresh": 0.98}
    cfg.model.binarize_mask_from_pts_for_mem_enc = True
    cfg.model.fill_hole_area = 0
    model = instantiate(cfg.model, _recursive_=True)
    model.load_state_dict(torch.load(ckpt_path, map_location="cpu", weights_only=True)["model"])
    return model.eval()


def official_state(predictor: Any, images: torch.Tensor, height: int, width: int) -> dict[str, Any]:
    """An inference state as ``SAM2VideoPredictor.init_state`` builds it, from preprocessed (N, 3, S, S) frames."""
    from collections import OrderedDict

    device = predictor.device
    return {
        "images": images, "num_frames": len(images), "offload_video_to_cpu": False,
        "offload_state_to_cpu": False, "video_height": height, "video_width": width, "device": device,
        "storage_device": device, "point_inputs_per_obj": {}, "mask_inputs_per_obj": {}, "cached_features": {},
        "constants": {}, "obj_id_to_idx": OrderedDict(), "obj_idx_to_id": OrderedDict(), "obj_ids": [],
        "output_dict_per_obj": {}, "temp_output_dict_per_obj": {}, "frames_tracked_per_obj": {},
    }


def official_state_bytes(state: dict[str, Any]) -> int:
    """Bytes of the tracking memory the official predictor holds (per-object outputs; each storage once)."""
    seen: set[int] = set()
    total = 0

    def visit(x: Any) -> None:
        nonlocal total
        if isinstance(x, torch.Tensor):
            key = x.untyped_storage().data_ptr()
            if key not in seen:
                seen.add(key)
                total += x.untyped_storage().nbytes()
        elif isinstance(x, dict):
            for v in x.values():
                visit(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                visit(v)

    visit(state["output_dict_per_obj"])
    visit(state["temp_output_dict_per_obj"])
    visit(state["constants"])
    return total


def moving_frame(i: int, background: np.ndarray) -> np.ndarray:
    """Frame ``i`` of the test scene on an RGB ``background``: a red square sliding right and back (period 80
    frames), a green bar sliding down. Sizes scale with the width; at 64x48 the square is 16 px, the bar 10x12."""
    height, width = background.shape[:2]
    img = background.copy()
    u = width / 64
    side, bar_w, bar_h = round(16 * u), round(10 * u), round(12 * u)
    phase = i % 40 if (i // 40) % 2 == 0 else 40 - i % 40
    x = round(4 * u) + phase * (width - side - round(8 * u)) // 40
    y0 = round(12 * u)
    img[y0:y0 + side, x:x + side] = (220, 40, 30)
    y = round(2 * u) + (i * round(2 * u)) % max(1, height - bar_h - round(2 * u))
    img[y:y + bar_h, width - bar_w - round(4 * u):width - round(4 * u)] = (30, 200, 60)
    return img


def scene_background(height: int = 48, width: int = 64, seed: int = 0) -> np.ndarray:
    """The textured background of the test scene."""
    return np.random.default_rng(seed).integers(40, 120, (height, width, 3), dtype=np.uint8)


def moving_scene(n: int, *, height: int = 48, width: int = 64, seed: int = 0) -> list[np.ndarray]:
    """The first ``n`` frames of :func:`moving_frame`."""
    background = scene_background(height, width, seed)
    return [moving_frame(i, background) for i in range(n)]
