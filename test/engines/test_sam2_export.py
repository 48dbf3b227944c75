"""SAM2's four tracker parts exported to ONNX match SAM2 in torch, part by part and over a tracked stream.

Tiny random SAM2 (test/perception/tiny_sam2.py) with a small memory window
(num_maskmem 3, 4 object pointers) so that pruning and padding both happen
within a few frames. Max abs differences are printed (pytest -s) for the report.
"""

import os

import numpy as np
import pytest

from rvos_ros.errors import ConfigError, EngineError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
pytest.importorskip("sam2")

TOL = 1e-4  # float32 rounding of re-ordered sums; far below anything that flips a mask pixel
OPEN_ENDED = 1 << 30


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """(model, export folder, paths) for a tiny SAM2 exported once for the module."""
    from rvos_ros.engines.sam2_export import export_sam2
    from rvos_ros.models.sam2 import build_sam2
    from rvos_ros.testing.tiny_sam2 import build_tiny_sam2

    torch.set_num_threads(1)
    d = tmp_path_factory.mktemp("sam2_parts")
    yaml_path, ckpt = build_tiny_sam2(d, image_size=64, num_maskmem=3, max_obj_ptrs=4)
    model = build_sam2(str(yaml_path), ckpt, image_size=64, models_dir=d)
    paths = export_sam2(model, d / "onnx", image_size=64)
    return model, d / "onnx", paths


def _diff(a, b):
    return float(np.abs(np.asarray(a, np.float64) - b.detach().float().numpy().astype(np.float64)).max())


def _iou(a, b):
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def _frame_features(model, seed=0):
    """The tiny model's flattened backbone features of a random image, as the tracker keeps them."""
    x = torch.from_numpy(np.random.default_rng(seed).standard_normal((1, 3, 64, 64)).astype(np.float32))
    with torch.no_grad():
        _, feats, pos, sizes = model._prepare_backbone_features(model.forward_image(x))
    return x, feats, pos, sizes


def test_export_writes_the_four_parts_and_their_settings(exported):
    from rvos_ros.engines.sam2_runtime import OrtSam2Parts

    _, folder, paths = exported
    assert {p.name for p in paths.values()} == {"image_encoder.onnx", "prompt_mask_decoder.onnx",
                                                "memory_attention.onnx", "memory_encoder.onnx", "sam2_parts.json"}
    parts = OrtSam2Parts(folder)
    # 2 prompt frames + num_maskmem - 1 recent memories; 2 prompt pointers + max_obj_ptrs - 1 recent ones
    assert (parts.memory_slots, parts.pointer_slots) == (4, 5)
    assert (parts.num_maskmem, parts.max_obj_ptrs_in_encoder, parts.image_size) == (3, 4, 64)


def test_image_encoder_matches_torch(exported):
    from rvos_ros.engines.sam2_runtime import OrtSam2Parts

    model, folder, _ = exported
    x, *_ = _frame_features(model)
    got = OrtSam2Parts(folder).forward_image(x)
    with torch.no_grad():
        want = model.forward_image(x)
    diffs = [_diff(g, w) for g, w in zip(got["backbone_fpn"] + got["vision_pos_enc"],
                                         want["backbone_fpn"] + want["vision_pos_enc"], strict=True)]
    print(f"image_encoder max abs diff {max(diffs):.2e}")
    assert max(diffs) < TOL


@pytest.mark.parametrize("multimask", [True, False], ids=["tracking-multimask", "box-single-mask"])
def test_prompt_mask_decoder_matches_sam_heads_for_a_batch_of_tracks(exported, multimask):
    from rvos_ros.engines.onnx_runtime import OrtPart

    model, folder, _ = exported
    _, feats, _, sizes = _frame_features(model, seed=1)
    n = 3
    high = [f.permute(1, 2, 0).reshape(1, -1, *s).expand(n, -1, -1, -1).contiguous()
            for f, s in zip(feats[:-1], sizes[:-1], strict=True)]
    pix = torch.randn(n, 32, 4, 4, generator=torch.Generator().manual_seed(2))
    if multimask:  # a tracked frame: no prompt, best of three masks
        points = None
        coords, labels = np.zeros((n, 1, 2), np.float32), -np.ones((n, 1), np.int32)
    else:  # a box: two corner points, one mask with the stability fallback
        coords = np.array([[[4, 10], [30, 40]], [[20, 2], [60, 30]], [[0, 0], [64, 64]]], np.float32)
        labels = np.tile(np.array([[2, 3]], np.int32), (n, 1))
        points = {"point_coords": torch.from_numpy(coords), "point_labels": torch.from_numpy(labels)}
    got = OrtPart(folder / "prompt_mask_decoder.onnx")(
        pix_feat=pix.numpy(), high_res_0=high[0].numpy(), high_res_1=high[1].numpy(), point_coords=coords,
        point_labels=labels, mask_input=np.zeros((n, 1, 64, 64), np.float32), use_mask=np.zeros(1, np.float32),
        multimask=np.array([float(multimask)], np.float32))
    with torch.no_grad():
        _, _, _, low, high_res, ptr, score = model._forward_sam_heads(
            pix, point_inputs=points, high_res_features=high, multimask_output=multimask)
    diffs = {k: _diff(got[k], w) for k, w in (("low_res_masks", low), ("high_res_masks", high_res),
                                               ("obj_ptr", ptr), ("object_score_logits", score))}
    print(f"prompt_mask_decoder ({'multimask' if multimask else 'single'}) max abs diff {max(diffs.values()):.2e}")
    assert max(diffs.values()) < TOL
    for k in range(n):
        want_mask = high_res[k, 0].numpy() > 0
        assert want_mask.any()
        assert _iou(got["high_res_masks"][k, 0] > 0, want_mask) >= 0.99


def test_memory_encoder_matches_torch_for_tracked_and_prompted_frames(exported):
    from rvos_ros.engines.sam2_runtime import OrtSam2Parts

    model, folder, _ = exported
    _, feats, _, sizes = _frame_features(model, seed=3)
    feats = [f.expand(-1, 2, -1).contiguous() for f in feats]
    masks = torch.randn(2, 1, 64, 64, generator=torch.Generator().manual_seed(4)) * 5
    scores = torch.tensor([[3.0], [-2.0]])  # one present, one absent object (no-object embedding added)
    parts = OrtSam2Parts(folder)
    for from_pts in (False, True):
        got, got_pos = parts._encode_new_memory(feats, sizes, masks, scores, from_pts)
        with torch.no_grad():
            want, want_pos = model._encode_new_memory(feats, sizes, masks, scores, from_pts)
        diff = max(_diff(got, want), _diff(got_pos[-1], want_pos[-1]))
        print(f"memory_encoder (binarized={from_pts}) max abs diff {diff:.2e}")
        assert diff < TOL


def _memory(model, feats, sizes, frame, seed):
    """A bank entry as the tracker stores it: bfloat16 features, the shared position encoding, a pointer."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        f, pos = model._encode_new_memory(feats, sizes, torch.randn(1, 1, 64, 64, generator=g) * 5,
                                          torch.tensor([[1.0]]), False)
    return {"maskmem_features": f.to(torch.bfloat16), "maskmem_pos_enc": pos,
            "obj_ptr": torch.randn(1, 32, generator=g)}


@pytest.mark.parametrize("recent", [[], [9], [8, 9], [5, 7, 8, 9]], ids=["cond-only", "1-recent", "full", "extra"])
def test_memory_attention_with_padded_slots_matches_torch(exported, recent):
    """Fewer memories than slots (early in a stream) give what SAM2 gives on the unpadded bank."""
    from rvos_ros.engines.onnx_runtime import OrtPart
    from rvos_ros.engines.sam2_runtime import OrtSam2Parts

    model, folder, _ = exported
    _, feats, pos, sizes = _frame_features(model, seed=5)
    output = {"cond_frame_outputs": {0: _memory(model, feats, sizes, 0, 10), 6: _memory(model, feats, sizes, 6, 11)},
              "non_cond_frame_outputs": {t: _memory(model, feats, sizes, t, 20 + t) for t in recent}}
    with torch.no_grad():
        want = model._prepare_memory_conditioned_features(10, False, feats[-1:], pos[-1:], sizes[-1:], output,
                                                          OPEN_ENDED)
    got = OrtSam2Parts(folder)._attend_memory(10, feats[-1], pos[-1], output, OPEN_ENDED)
    diff = _diff(got, want)
    print(f"memory_attention ({len(recent)} recent) max abs diff {diff:.2e}")
    assert diff < TOL
    # the graph itself is static: every input has a fixed size except the number of tracks
    shapes = {i.name: i.shape for i in OrtPart(folder / "memory_attention.onnx").session.get_inputs()}
    assert shapes["memory"][1:] == [4, 16, 4, 4] and shapes["obj_ptrs"][1:] == [5, 32]


def _run_stream(tracker, frames):
    """30 frames: object 1 boxed at 0, object 2 boxed at 8, object 3 mask-prompted at 14, object 1 re-boxed at 20."""
    masks, scores = [], []
    for i, frame in enumerate(frames):
        out = tracker.step(frame)
        if i == 0:
            out[1] = tracker.add(1, box=(4, 12, 22, 30))
        if i == 8:
            out[2] = tracker.add(2, box=(44, 0, 60, 20))
        if i == 14:
            m = np.zeros(frame.shape[:2], bool)
            m[30:44, 8:30] = True
            out[3] = tracker.add(3, mask=m)
        if i == 20:
            out[1] = tracker.add(1, box=(20, 10, 44, 32))
        masks.append({k: s.mask for k, s in out.items()})
        scores.append({k: s.score for k, s in out.items()})
    return masks, scores


@pytest.mark.parametrize("batch_tracks", [False, True], ids=["one-by-one", "batched"])
def test_streaming_tracker_on_onnx_parts_gives_the_torch_masks(exported, batch_tracks):
    from rvos_ros.engines.sam2_runtime import OrtSam2Parts
    from rvos_ros.perception.tracker import StreamingTracker
    from rvos_ros.testing.tiny_sam2 import moving_scene

    model, folder, _ = exported
    frames = moving_scene(30)
    torch_tracker = StreamingTracker(model, batch_tracks=batch_tracks)
    ort_tracker = StreamingTracker(None, parts=OrtSam2Parts(folder), batch_tracks=batch_tracks)
    want, want_scores = _run_stream(torch_tracker, frames)
    got, got_scores = _run_stream(ort_tracker, frames)
    # pruning really happened: SAM2 reads 2 recent frames here, the bank never holds all 30
    assert len(ort_tracker._tracks[1].recent) <= 4
    ious = []
    for i, (w, g) in enumerate(zip(want, got, strict=True)):
        assert sorted(w) == sorted(g)
        for k in w:
            assert w[k].any(), f"frame {i} object {k}: empty torch mask proves nothing"
            ious.append(_iou(w[k], g[k]))
            assert ious[-1] >= 0.99, f"frame {i} object {k}: IoU {ious[-1]:.4f}"
            assert abs(want_scores[i][k] - got_scores[i][k]) < 1e-3
    assert len(ious) == 30 + 22 + 16 + 0  # objects 1, 2 (from 8), 3 (from 14) on every frame they exist
    print(f"stream min IoU {min(ious):.4f}")


def test_the_tracker_times_each_sam2_part_on_torch_and_on_the_engine(exported):
    from rvos_ros.engines.sam2_runtime import OrtSam2Parts
    from rvos_ros.perception.tracker import STAGES, StreamingTracker
    from rvos_ros.testing.tiny_sam2 import moving_scene

    model, folder, _ = exported
    frames = moving_scene(3)
    for tracker in (StreamingTracker(model), StreamingTracker(None, parts=OrtSam2Parts(folder))):
        tracker.step(frames[0])
        tracker.add(1, box=(4, 4, 20, 20))
        assert set(tracker.take_timings()) == {"encoder", "decoder", "memory_encoder"}  # a prompt: no memory read
        tracker.step(frames[1])
        timings = tracker.take_timings()
        assert set(timings) == set(STAGES) and all(ms >= 0 for ms in timings.values())
        assert tracker.take_timings() == {}  # read once


def test_missing_or_too_small_exports_are_clear_errors(exported, tmp_path):
    from rvos_ros.engines.sam2_export import export_sam2
    from rvos_ros.engines.sam2_runtime import OrtSam2Parts
    from rvos_ros.perception.tracker import StreamingTracker
    from rvos_ros.testing.tiny_sam2 import moving_scene

    model, folder, _ = exported
    with pytest.raises(EngineError, match="holds no SAM2 export.*engines build"):
        OrtSam2Parts(tmp_path)
    with pytest.raises(EngineError, match="image_size 128 differs from the model's 64"):
        export_sam2(model, tmp_path / "x", image_size=128)
    with pytest.raises(ConfigError, match="needs a SAM2 model or parts="):
        StreamingTracker(None)
    # a tracker keeping 5 prompted frames reads more memories than this export (made for 2) has slots for
    tracker = StreamingTracker(None, parts=OrtSam2Parts(folder), max_prompt_frames=5)
    frames = moving_scene(6)
    for i, frame in enumerate(frames[:5]):
        tracker.step(frame)
        tracker.add(1, box=(4 + i, 12, 22, 30))
    with pytest.raises(EngineError, match="reads 5 memories but .* has 4 slots; re-export with max_prompt_frames"):
        tracker.step(frames[5])
