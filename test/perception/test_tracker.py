"""StreamingTracker: SAM2's tracking, frame for frame, with memory that stops growing.

A tiny random SAM2 (test/perception/tiny_sam2.py) is written to disk and
loaded back through the robot's loading code; Meta's own SAM2VideoPredictor
on the same files and the same preprocessed frames is the reference.
"""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

torch = pytest.importorskip("torch")
pytest.importorskip("sam2")

import torch.nn.functional as F  # noqa: E402

from rvos_ros.config import TrackerConfig  # noqa: E402
from rvos_ros.errors import ConfigError, InputError, ModelError  # noqa: E402
from rvos_ros.models.sam2 import build_sam2, preprocess  # noqa: E402
from rvos_ros.perception.base import Tracker  # noqa: E402
from rvos_ros.perception.sam2_memory import MemoryWindow  # noqa: E402
from rvos_ros.perception.tracker import StreamingTracker, fill_small_holes  # noqa: E402
from rvos_ros.testing.tiny_sam2 import (  # noqa: E402
    build_tiny_sam2,
    moving_scene,
    official_predictor,
    official_state,
    official_state_bytes,
)

H, W, SIZE = 48, 64, 64
BOX = (4.0, 12.0, 20.0, 28.0)  # the red square on frame 0
BAR = np.zeros((H, W), bool)
BAR[2:14, 50:60] = True  # the green bar on frame 0
FRAMES = moving_scene(64, height=H, width=W)


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """(yaml, checkpoint) of a tiny SAM2 with a 2-frame spatial memory and 4 object pointers: pruning bites."""
    return build_tiny_sam2(tmp_path_factory.mktemp("tiny_sam2"), SIZE, num_maskmem=3, max_obj_ptrs=4)


@pytest.fixture(scope="module")
def model(tiny):
    return build_sam2(str(tiny[0]), str(tiny[1]), image_size=SIZE)


@pytest.fixture(scope="module")
def official(tiny):
    """Meta's predictor over FRAMES: the red square by box, the green bar by mask, both at frame 0."""
    predictor = official_predictor(*tiny)
    state = official_state(predictor, torch.cat([preprocess(f, SIZE) for f in FRAMES]), H, W)
    masks, low_res, scores, state_bytes = [], [], [], []
    with torch.inference_mode():
        predictor.add_new_points_or_box(state, 0, 1, box=list(BOX))
        predictor.add_new_mask(state, 0, 2, BAR)
        for i, _, video_masks in predictor.propagate_in_video(state):
            masks.append((video_masks[:, 0] > 0).numpy())
            kind = "cond_frame_outputs" if i == 0 else "non_cond_frame_outputs"
            outs = [state["output_dict_per_obj"][k][kind][i] for k in (0, 1)]
            low_res.append([o["pred_masks"][0, 0].numpy() for o in outs])
            scores.append([o["object_score_logits"].item() for o in outs])
            state_bytes.append(official_state_bytes(state))
    return {"masks": masks, "low_res": low_res, "scores": scores, "state_bytes": state_bytes}


def run(tracker, frames, prompts):
    """Step through ``frames``; ``prompts[i]`` = {id: box tuple or mask} added on frame i. States per frame."""
    out = []
    for i, frame in enumerate(frames):
        states = tracker.step(frame)
        for track_id, prompt in prompts.get(i, {}).items():
            kind = "mask" if isinstance(prompt, np.ndarray) else "box"
            states[track_id] = tracker.add(track_id, **{kind: prompt})
        out.append(states)
    return out


def iou(a, b):
    return (a & b).sum() / max((a | b).sum(), 1)


def test_it_is_a_tracker(model):
    assert isinstance(StreamingTracker(model), Tracker)


@pytest.mark.parametrize("batch_tracks", [False, True])
def test_matches_the_official_predictor_frame_for_frame_while_pruning(model, official, batch_tracks):
    # sam2 without its CUDA extension fills no holes; it steps objects one by one (bit-identical unbatched)
    tracker = StreamingTracker(model, fill_hole_area=0, batch_tracks=batch_tracks)
    states = run(tracker, FRAMES, {0: {1: BOX, 2: BAR}})
    for i, frame_states in enumerate(states):
        for k, track_id in enumerate((1, 2)):
            ours, theirs = frame_states[track_id].mask, official["masks"][i][k]
            assert 0.02 < theirs.mean() < 0.9, f"frame {i}: a conformance test on empty or full masks proves nothing"
            assert iou(ours, theirs) >= 0.999, f"frame {i}, track {track_id}"
            if batch_tracks:
                assert frame_states[track_id].score == pytest.approx(official["scores"][i][k], abs=1e-4)
            else:
                assert np.array_equal(ours, theirs), f"frame {i}, track {track_id}"
                assert frame_states[track_id].score == official["scores"][i][k]
            assert frame_states[track_id].visible
    # pruning really happened: 64 frames, yet only a 2-frame spatial memory and 3 older pointers are held
    assert 1 <= len(tracker._tracks[1].recent) <= 3


def test_matches_the_official_predictor_with_a_strided_memory(tmp_path):
    # memory_temporal_stride_for_eval=3: sam2 reads the previous frame plus frames on a 3-frame grid
    yaml_path, ckpt = build_tiny_sam2(tmp_path, SIZE, num_maskmem=4, max_obj_ptrs=3, memory_stride=3)
    predictor = official_predictor(yaml_path, ckpt)
    frames = FRAMES[:30]
    state = official_state(predictor, torch.cat([preprocess(f, SIZE) for f in frames]), H, W)
    with torch.inference_mode():
        predictor.add_new_points_or_box(state, 0, 1, box=list(BOX))
        theirs = [(m[0, 0] > 0).numpy() for _, _, m in predictor.propagate_in_video(state)]
    tracker = StreamingTracker(build_sam2(str(yaml_path), str(ckpt), image_size=SIZE), fill_hole_area=0)
    ours = run(tracker, frames, {0: {1: BOX}})
    assert all(np.array_equal(a[1].mask, b) and b.any() for a, b in zip(ours, theirs, strict=True))
    assert len(tracker._tracks[1].recent) < 10


@pytest.mark.parametrize(("num_maskmem", "stride", "max_ptrs"),
                         [(7, 1, 16), (3, 1, 4), (4, 3, 3), (7, 5, 2), (1, 1, 0)])
def test_the_window_keeps_exactly_what_later_frames_read(num_maskmem, stride, max_ptrs):
    window = MemoryWindow(num_maskmem=num_maskmem, stride=stride, max_obj_ptrs=max_ptrs)
    for now in range(0, 40):
        later = range(now + 1, now + 2 + num_maskmem * stride + max_ptrs)
        read = set().union(*(window.feature_frames(g) for g in later))
        pointers = {g - d for g in later for d in range(1, max_ptrs)}
        for t in range(now + 1):
            assert window.keeps_features(t, now + 1) == (t in read), (now, t)
            assert window.keeps_pointer(t, now + 1) == (t in pointers), (now, t)


def test_batching_objects_changes_nothing_but_rounding(model):
    prompts = {0: {1: BOX, 2: BAR, 3: (30.0, 5.0, 62.0, 40.0)}, 5: {4: BOX}, 12: {2: (40.0, 0.0, 64.0, 20.0)}}
    tracker = StreamingTracker(model)
    batched = run(tracker, FRAMES[:30], prompts)
    assert tracker._batches() == [[1, 3], [2], [4]]  # same prompt frames, one batch
    single = run(StreamingTracker(model, batch_tracks=False), FRAMES[:30], prompts)
    for i, (a, b) in enumerate(zip(batched, single, strict=True)):
        assert list(a) == list(b)
        for track_id in a:
            assert iou(a[track_id].mask, b[track_id].mask) >= 0.999, f"frame {i}, track {track_id}"
            assert a[track_id].score == pytest.approx(b[track_id].score, abs=1e-4)


def test_fills_small_holes_in_the_output_only(model, official):
    filled, plain = StreamingTracker(model), StreamingTracker(model, fill_hole_area=0)
    a, b = run(filled, FRAMES, {0: {1: BOX}}), run(plain, FRAMES, {0: {1: BOX}})
    changed = 0
    for i, (sa, sb) in enumerate(zip(a, b, strict=True)):
        assert sa[1].score == sb[1].score  # same memory: scores would drift apart otherwise
        expected = fill_small_holes(official["low_res"][i][0], 8)
        expected = F.interpolate(torch.from_numpy(expected)[None, None], size=(H, W), mode="bilinear",
                                 align_corners=False)[0, 0] > 0
        assert np.array_equal(sa[1].mask, expected.numpy())
        changed += int((sa[1].mask != sb[1].mask).sum())
    assert changed > 0  # the tiny model does leave holes, so the filling was exercised


def test_fill_small_holes_fills_only_small_background_components():
    logits = np.full((12, 12), 2.0, np.float32)
    logits[2:4, 2:4] = -1.0  # 4 px hole
    logits[6:9, 6:9] = -1.0  # 9 px hole
    out = fill_small_holes(logits, 8)
    assert (out[2:4, 2:4] == np.float32(0.1)).all()
    assert (out[6:9, 6:9] == -1.0).all()
    assert np.array_equal(fill_small_holes(logits, 0), logits)
    empty = np.full((4, 4), -1024.0, np.float32)
    assert np.array_equal(fill_small_holes(empty, 100), empty)  # an absent object stays absent


def test_an_object_added_mid_stream_leaves_the_others_untouched(model):
    frames = FRAMES[:40]
    alone = run(StreamingTracker(model), frames, {0: {1: BOX}})
    tracker = StreamingTracker(model)
    both = run(tracker, frames, {0: {1: BOX}, 20: {2: BAR}})
    for i, (a, b) in enumerate(zip(alone, both, strict=True)):
        assert np.array_equal(a[1].mask, b[1].mask) and a[1].score == b[1].score, f"frame {i}"
        assert (2 in b) == (i >= 20)
    assert all(s[2].mask.any() for s in both[20:])
    assert tracker.prompt_frames(2) == [20]


def test_state_stops_growing_while_the_official_state_grows(model, official):
    tracker = StreamingTracker(model)
    sizes = {}
    for i, frame in enumerate(moving_scene(300, height=H, width=W)):
        tracker.step(frame)
        if i == 0:
            tracker.add(1, box=BOX)
        sizes[i + 1] = tracker.state_bytes()
    assert sizes[300] == sizes[30] > 0
    grown = official["state_bytes"]
    assert grown[-1] > grown[29] > grown[9]


def test_reprompt_replaces_the_frame_and_becomes_a_conditioning_frame(model):
    tracker = StreamingTracker(model)
    before = run(tracker, FRAMES[:11], {0: {1: BOX}})[-1][1]
    new_box = (30.0, 5.0, 62.0, 40.0)
    again = tracker.add(1, box=new_box)
    fresh = tracker.add(9, box=new_box)  # a new track prompted the same way: SAM on this frame alone
    assert np.array_equal(again.mask, fresh.mask) and again.score == fresh.score
    assert not np.array_equal(again.mask, before.mask)
    assert tracker.prompt_frames(1) == [0, 10]
    # from now on track 1 remembers the new prompt: it follows what track 9 follows, not its old self
    untouched = StreamingTracker(model)
    run(untouched, FRAMES[:11], {0: {1: BOX}})
    nxt, old = tracker.step(FRAMES[11]), untouched.step(FRAMES[11])
    assert nxt[1].score != old[1].score


def test_prompted_frames_are_capped_and_memory_stays_bounded(model):
    tracker = StreamingTracker(model, max_prompt_frames=2)
    sizes = []
    for i, frame in enumerate(FRAMES):
        tracker.step(frame)
        if i % 5 == 0:
            tracker.add(1, box=BOX)
        sizes.append(tracker.state_bytes())
    assert tracker.prompt_frames(1) == [55, 60]
    assert max(sizes[20:]) == max(sizes[40:])


def test_remove_forgets_one_object_and_keeps_the_others(model):
    alone = run(StreamingTracker(model), FRAMES[:20], {0: {1: BOX}})
    tracker = StreamingTracker(model)
    states = run(tracker, FRAMES[:10], {0: {1: BOX, 2: BAR}})
    tracker.remove(2)
    states += run(tracker, FRAMES[10:20], {})
    assert [sorted(s) for s in states[9:11]] == [[1, 2], [1]]
    for a, b in zip(alone, states, strict=True):  # 1 and 2 were one batch: equal up to float rounding
        assert iou(a[1].mask, b[1].mask) >= 0.999 and a[1].score == pytest.approx(b[1].score, abs=1e-4)
    assert tracker.track_ids == [1]
    with pytest.raises(InputError, match="cannot remove track 2: not tracked"):
        tracker.remove(2)


def test_reset_forgets_everything_and_accepts_a_new_size(model):
    tracker = StreamingTracker(model)
    run(tracker, FRAMES[:3], {0: {1: BOX}})
    tracker.reset()
    assert tracker.state_bytes() == 0 and tracker.track_ids == [] and tracker.frame_index is None
    with pytest.raises(InputError, match="no frame yet; call step"):
        tracker.add(1, box=BOX)
    assert tracker.step(np.zeros((32, 40, 3), np.uint8)) == {}
    assert tracker.frame_index == 0


def test_reports_occlusion_from_the_object_score(model):
    tracker = StreamingTracker(model, occluded_score=100.0)
    state = run(tracker, FRAMES[:3], {0: {1: BOX}})[-1][1]
    assert 0.0 < state.score < 100.0 and not state.visible
    assert state.mask.shape == (H, W) and state.mask.dtype == bool


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"box": (20.0, 12.0, 4.0, 28.0)}, "empty or outside"),
    ({"box": (100.0, 100.0, 120.0, 120.0)}, "empty or outside"),
    ({"box": (1.0, float("nan"), 5.0, 5.0)}, "4 finite numbers"),
    ({"box": (1.0, 2.0, 3.0)}, "4 finite numbers"),
    ({"box": "abcd"}, "must be 4 numbers"),
    ({}, "exactly one of box= or mask="),
    ({"box": BOX, "mask": BAR}, "exactly one of box= or mask="),
    ({"mask": np.zeros((H, W), bool)}, "mask for track 1 is empty"),
    ({"mask": np.ones((H, W + 1), bool)}, r"expected the frame's \(48, 64\)"),
])
def test_bad_prompts_are_input_errors(model, kwargs, match):
    tracker = StreamingTracker(model)
    tracker.step(FRAMES[0])
    with pytest.raises(InputError, match=match):
        tracker.add(1, **kwargs)
    assert tracker.track_ids == []


def test_bad_images_are_input_errors(model):
    tracker = StreamingTracker(model)
    with pytest.raises(InputError, match="RGB uint8"):
        tracker.step(np.zeros((H, W), np.uint8))
    with pytest.raises(InputError, match="RGB uint8"):
        tracker.step(np.zeros((H, W, 3), np.float32))
    tracker.step(FRAMES[0])
    with pytest.raises(InputError, match=r"64x32 but this stream is 64x48; call reset\(\)"):
        tracker.step(np.zeros((32, 64, 3), np.uint8))


def test_from_config_loads_the_checkpoint_through_the_robot_path(tiny, tmp_path):
    yaml_path, ckpt = tiny
    cfg = TrackerConfig(model_config=str(yaml_path), checkpoint=ckpt.name, image_size=SIZE)
    tracker = StreamingTracker.from_config(cfg, models_dir=ckpt.parent, device="cpu")
    saved = torch.load(ckpt, weights_only=True)["model"]
    assert all(torch.equal(v, saved[k]) for k, v in tracker.model.state_dict().items())
    assert tracker.max_prompt_frames == cfg.max_prompt_frames and tracker.fill_hole_area == 8
    assert tracker.model.binarize_mask_from_pts_for_mem_enc  # sam2's video-tracking settings are applied
    assert run(tracker, FRAMES[:2], {0: {1: BOX}})[-1][1].mask.any()


class Payload:
    """Not a tensor: a weights_only load must refuse to unpickle it."""


def test_from_config_refuses_checkpoints_that_are_not_plain_weights(tiny, tmp_path):
    yaml_path, ckpt = tiny
    bad = tmp_path / "pickled.pt"
    torch.save({"model": torch.load(ckpt, weights_only=True)["model"], "extra": Payload()}, bad)
    cfg = TrackerConfig(model_config=str(yaml_path), checkpoint=str(bad), image_size=SIZE)
    with pytest.raises(ModelError, match="not a readable weights file .*Unsupported global"):
        StreamingTracker.from_config(cfg, models_dir=tmp_path, device="cpu")
    torch.save({"state_dict": {}}, bad)
    with pytest.raises(ModelError, match="has no 'model' state dict"):
        StreamingTracker.from_config(cfg, models_dir=tmp_path, device="cpu")


def test_from_config_rejects_a_checkpoint_of_another_model(tiny, tmp_path):
    other_yaml, other_ckpt = build_tiny_sam2(tmp_path, SIZE, num_maskmem=5)
    cfg = TrackerConfig(model_config=str(tiny[0]), checkpoint=str(other_ckpt), image_size=SIZE)
    with pytest.raises(ModelError, match=r"does not match SAM2 config .*wrong shape 1 .*maskmem_tpos_enc"):
        StreamingTracker.from_config(cfg, models_dir=tmp_path, device="cpu")
    # a config name inside the sam2 package resolves too (here: hiera-tiny, which the tiny weights do not fit)
    cfg = TrackerConfig(model_config="configs/sam2.1/sam2.1_hiera_t.yaml", checkpoint=str(other_ckpt),
                        image_size=SIZE)
    with pytest.raises(ModelError, match="does not match SAM2 config .*sam2.1_hiera_t.yaml.*missing"):
        StreamingTracker.from_config(cfg, models_dir=tmp_path, device="cpu")


def test_from_config_names_missing_files(tiny, tmp_path):
    cfg = TrackerConfig(model_config="configs/nope.yaml", checkpoint=str(tiny[1]), image_size=SIZE)
    with pytest.raises(ConfigError, match="model_config 'configs/nope.yaml' is neither a YAML file"):
        StreamingTracker.from_config(cfg, models_dir=tmp_path, device="cpu")
    cfg = TrackerConfig(model_config=str(tiny[0]), checkpoint="missing.pt", image_size=SIZE)
    with pytest.raises(ConfigError, match="checkpoint 'missing.pt' not found"):
        StreamingTracker.from_config(cfg, models_dir=tmp_path, device="cpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (runs where one is lent)")
def test_a_cuda_model_stays_on_its_gpu_unless_told_otherwise(tmp_path):
    yaml_path, ckpt = build_tiny_sam2(tmp_path, 64)
    model = build_sam2(str(yaml_path), ckpt, image_size=64, models_dir=tmp_path, device="cuda")
    assert StreamingTracker(model).precision == "bf16"  # auto
    for precision in ("fp32", "bf16", "fp16"):
        tracker = StreamingTracker(model, precision=precision)
        assert tracker.device.type == "cuda" and next(tracker.model.parameters()).is_cuda
        tracker.step(FRAMES[0])
        state = tracker.add(1, box=(4, 4, 20, 20))
        assert state.mask.shape == FRAMES[0].shape[:2] and state.mask.any()
        assert tracker.step(FRAMES[1])[1].mask.any()


def test_reduced_precision_tracks_the_same_objects(tiny):
    """bf16 autocast (what a GPU runs fastest) gives the fp32 masks up to rounding; the memory stays bounded."""
    masks = {}
    for precision in ("fp32", "bf16"):
        model = build_sam2(str(tiny[0]), str(tiny[1]), image_size=SIZE)
        tracker = StreamingTracker(model, precision=precision)
        tracker.step(FRAMES[0])
        tracker.add(1, box=(4, 4, 20, 20))
        tracker.add(2, mask=BAR)
        masks[precision] = [tracker.step(f) for f in FRAMES[1:16]]
    for ref, got in zip(masks["fp32"], masks["bf16"], strict=True):
        for track_id in (1, 2):
            a, b = ref[track_id].mask, got[track_id].mask
            union = (a | b).sum()
            assert union == 0 or (a & b).sum() / union >= 0.9
    assert any(s[1].mask.any() for s in masks["bf16"]), "nothing tracked: the comparison proves nothing"


def test_an_unknown_precision_is_a_config_error(model):
    with pytest.raises(ConfigError, match="precision"):
        StreamingTracker(model, precision="int8")
    with pytest.raises(ConfigError, match="fp16 needs a CUDA device"):
        StreamingTracker(model, precision="fp16", device="cpu")
    assert StreamingTracker(model, device="cpu").precision == "fp32"  # auto: fp32 on a CPU, bf16 on CUDA


def test_stage_timing_on_cuda_waits_for_the_frame_threads_own_stream_only(monkeypatch):
    """A device-wide synchronize would also wait for the detector's GPU work on its worker's stream."""
    import types

    from rvos_ros.perception.tracker import install_stage_clock

    calls: list[str] = []

    class Stream:
        def synchronize(self) -> None:
            calls.append("stream")

    monkeypatch.setattr(torch.cuda, "current_stream", lambda device=None: Stream())
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: calls.append("device"))
    clock = install_stage_clock(types.SimpleNamespace(), torch.device("cuda", 0))
    clock.start("image_encoder")
    clock.stop()
    assert calls == ["stream", "stream"] and "image_encoder" in clock.take()
