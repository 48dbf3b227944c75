"""Detector and CLIP parts exported to ONNX give the torch models' outputs in ONNX Runtime (tiny random models)."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("onnxruntime")

from reasoning.test_clip_verifier import box_mask, keyframe, two_dogs  # noqa: E402

from rvos_ros.config import DetectorConfig, VerifierConfig  # noqa: E402
from rvos_ros.engines.clip_export import OrtClipModel, clip_logit_scale, export_clip  # noqa: E402
from rvos_ros.engines.detector_export import OrtOwlv2Detector, _phrase_masks, export_owlv2  # noqa: E402
from rvos_ros.engines.onnx_runtime import OrtPart, make_session, providers_for  # noqa: E402
from rvos_ros.engines.tensorrt_build import TrtRunner, build_engine  # noqa: E402
from rvos_ros.errors import EngineError  # noqa: E402
from rvos_ros.models.clip import ClipModel  # noqa: E402
from rvos_ros.models.owlv2 import Owlv2Detector  # noqa: E402
from rvos_ros.reasoning.clip_verifier import ClipVerifier  # noqa: E402
from rvos_ros.testing.tiny_clip import build_tiny_clip  # noqa: E402
from rvos_ros.testing.tiny_detectors import build_tiny_grounding_dino, build_tiny_owlv2  # noqa: E402

CPU = torch.device("cpu")


def _has_trt_gpu():
    try:
        import tensorrt  # noqa: F401
    except ImportError:
        return False
    return torch.cuda.is_available()


@pytest.fixture(scope="module")
def owlv2(tmp_path_factory):
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("owlv2")
    cfg = DetectorConfig(backend="owlv2", owlv2_model=str(build_tiny_owlv2(root)), box_threshold=0.05, nms_iou=0.7,
                         max_detections=5)
    det = Owlv2Detector.load(cfg, models_dir=root, device=CPU)
    return cfg, det, export_owlv2(det.model, root / "onnx")


@pytest.fixture(scope="module")
def gdino(tmp_path_factory):
    from rvos_ros.models.grounding_dino import GroundingDinoDetector

    root = tmp_path_factory.mktemp("gdino")
    cfg = DetectorConfig(grounding_dino_model=str(build_tiny_grounding_dino(root)), box_threshold=0.0,
                         text_threshold=0.0)
    return cfg, GroundingDinoDetector.load(cfg, models_dir=root, device=CPU)


def _gdino_feeds(det, phrases, seed=0):
    """The ONNX detector's inputs for a 64x96 px processed image: the torch detector's caption, padded."""
    det.set_phrases(phrases)
    length = det.model.config.max_text_len
    feeds = {"pixel_values": np.random.default_rng(seed).standard_normal((1, 3, 64, 96)).astype(np.float32),
             "pixel_mask": np.ones((1, 64, 96), np.int64)}
    for name in ("input_ids", "token_type_ids", "attention_mask"):
        row = det._text[name].numpy()
        feeds[name] = np.pad(row, ((0, 0), (0, length - row.shape[1])))
    return feeds


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    root = tmp_path_factory.mktemp("clip")
    cfg = VerifierConfig(backend="clip", clip_model=str(build_tiny_clip(root)), keyframes=2)
    ref = ClipVerifier(ClipModel.load(cfg.clip_model, models_dir=root, device="cpu"), cfg)
    return cfg, ref, export_clip(ref.clip.model, root / "onnx")


# -- OWLv2 ---------------------------------------------------------------------------------------------------------


def test_owlv2_parts_match_torch_in_onnx_runtime(owlv2):
    cfg, det, files = owlv2
    model = det.model
    tokens = det._processor.tokenizer(["dog", "red ball"], padding="max_length", max_length=8, return_tensors="pt")
    pixels = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        want_q = model.owlv2.get_text_features(**tokens).pooler_output
        fmap, _ = model.image_embedder(pixel_values=pixels)
        patches = fmap.reshape(2, -1, fmap.shape[-1])
        want_logits, _ = model.class_predictor(patches, want_q[None].expand(2, -1, -1), None)
        want_boxes = model.box_predictor(patches, fmap)
    got_q = OrtPart(files["owlv2_text"])(input_ids=tokens["input_ids"].numpy(),
                                          attention_mask=tokens["attention_mask"].numpy())["query_embeds"]
    got = OrtPart(files["owlv2_image"])(pixel_values=pixels.numpy(), query_embeds=np.stack([got_q, got_q]))
    assert np.abs(got_q - want_q.numpy()).max() < 1e-4
    assert got["logits"].shape == (2, 16, 2)  # batch of 2 images, 4x4 patches, 2 phrases: dynamic axes work
    assert np.abs(got["logits"] - want_logits.numpy()).max() < 1e-3
    assert np.abs(got["pred_boxes"] - want_boxes.numpy()).max() < 1e-4


def test_the_onnx_runtime_owlv2_detector_returns_the_torch_detectors_detections(owlv2):
    cfg, det, files = owlv2
    ort_det = OrtOwlv2Detector.from_dir(cfg.owlv2_model, files, cfg)
    assert ort_det.detect(np.zeros((20, 30, 3), np.uint8)) == []  # nothing asked, nothing found
    for d in (det, ort_det):
        d.set_phrases(["dog", "red ball", "cat"])
    rng = np.random.default_rng(3)
    for shape in ((48, 64, 3), (40, 40, 3), (70, 30, 3)):
        image = rng.integers(0, 256, shape, dtype=np.uint8)
        want, got = det.detect(image), ort_det.detect(image)
        assert want, "the biased tiny head must detect something"
        assert [d.phrase for d in got] == [d.phrase for d in want]
        assert np.abs(np.array([d.box for d in got]) - np.array([d.box for d in want])).max() < 1e-2
        assert np.abs(np.array([d.score for d in got]) - np.array([d.score for d in want])).max() < 1e-4
    assert ort_det.phrases == det.phrases


def test_an_owlv2_detector_without_its_parts_is_refused(owlv2):
    cfg, _, files = owlv2
    with pytest.raises(EngineError, match=r"owlv2_image.*engines build"):
        OrtOwlv2Detector.from_dir(cfg.owlv2_model, {"owlv2_text": files["owlv2_text"]}, cfg)


def test_grounding_dino_phrase_masks_export_form_equals_transformers():
    from transformers.models.grounding_dino import modeling_grounding_dino as gd

    special = torch.tensor([101, 102, 1012, 1029])
    rng = np.random.default_rng(0)
    for _ in range(30):
        ids = torch.from_numpy(rng.choice([101, 102, 1012, 1029, 5, 6, 0], size=(2, int(rng.integers(2, 20)))))
        want_mask, want_pos = gd.generate_masks_with_special_tokens_and_transfer_map(ids, special)
        got_mask, got_pos = _phrase_masks(ids, special)
        assert torch.equal(got_mask, want_mask) and torch.equal(got_pos, want_pos)


def test_grounding_dino_export_matches_torch_and_refuses_other_sizes(gdino, tmp_path):
    from rvos_ros.engines.detector_export import (
        OrtGroundingDinoDetector,
        export_grounding_dino,
        grounding_dino_input_size,
        grounding_dino_max_abs_diff,
    )

    cfg, det = gdino
    # 48x72 px frames: the tiny processor makes 64x96 of them, and its smallest feature level is 1 px high
    # (transformers' linspace there once exported as NaN)
    height, width = grounding_dino_input_size(det._processor, (72, 48))
    assert (height, width) == (64, 96)
    files = export_grounding_dino(det.model, tmp_path / "onnx", height=height, width=width)
    part = OrtPart(files["grounding_dino"])
    assert part.output_names == ["logits", "pred_boxes", "init_reference_points"]
    assert grounding_dino_max_abs_diff(det.model, files["grounding_dino"], det._processor.tokenizer) < 1e-4
    ort_det = OrtGroundingDinoDetector(det, part, cfg)
    det.set_phrases([])
    assert ort_det.detect(np.zeros((48, 72, 3), np.uint8)) == []  # nothing asked, nothing found
    # two phrases, and more than fit in max_text_len tokens (those that do not fit are left out); both padded
    many = ["dog", "red ball", "cat", "blue car", "teddy bear", "man", "woman", "table", "chair", "bird", "horse",
            "person", "door", "cup", "blue box", "object"]
    for phrases in (["dog", "red ball"], many):
        det.set_phrases(phrases)
        for seed, shape in enumerate(((48, 72, 3), (64, 96, 3), (48, 72, 3))):
            image = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
            want, got = det.detect(image), ort_det.detect(image)
            assert want and [d.phrase for d in got] == [d.phrase for d in want]
            assert np.abs(np.array([d.box for d in got]) - np.array([d.box for d in want])).max() < 1e-3
            assert np.abs(np.array([d.score for d in got]) - np.array([d.score for d in want])).max() < 1e-5
    assert len(det.phrases) < len(many)
    with pytest.raises(EngineError, match=r"no GroundingDINO engine for 80x64 frames.*--camera-size 80x64"):
        ort_det.detect(np.zeros((64, 80, 3), np.uint8))


def test_padding_the_caption_to_max_text_len_leaves_torch_grounding_dino_unchanged(gdino):
    # the ONNX detector pads the torch detector's caption to the graph's fixed length: padded tokens (masked out)
    # must change nothing on the caption's own tokens
    _, det = gdino
    for seed, phrases in enumerate((["dog"], ["dog", "red ball"], ["a teddy bear", "the blue box", "cup"])):
        feeds = {k: torch.from_numpy(v) for k, v in _gdino_feeds(det, phrases, seed).items()}
        tokens = det._text["input_ids"].shape[1]
        with torch.no_grad():
            padded = det.model(**feeds)
            own = det.model(pixel_values=feeds["pixel_values"], pixel_mask=feeds["pixel_mask"], **det._text)
        assert torch.allclose(padded.logits[..., :tokens], own.logits[..., :tokens], atol=1e-5)
        assert torch.allclose(padded.pred_boxes, own.pred_boxes, atol=1e-6)
        assert torch.isinf(padded.logits[..., tokens:]).all()  # padded tokens never score


def test_the_grounding_dino_check_tells_a_near_tie_swap_from_an_export_error(gdino):
    from unittest import mock

    from rvos_ros.engines.detector_export import grounding_dino_diff

    _, det = gdino
    model, feeds = det.model, _gdino_feeds(det, ["dog", "red ball"])
    inputs = {k: torch.from_numpy(v) for k, v in feeds.items()}
    with torch.no_grad():
        ref = model(**inputs)
    queries = model.config.num_queries
    scores, ranked = ref.enc_outputs_class.amax(-1).sort(dim=1, descending=True, stable=True)  # torch's ranking

    def outputs_choosing(i, j):
        """What a graph gives when its top-k takes proposal j (by torch's rank; >= num_queries: one torch left out)
        in place of proposal i, and i (if kept) in place of j."""
        swapped = ranked[:, :queries].clone()
        swapped[0, i] = ranked[0, j]
        if j < queries:
            swapped[0, j] = ranked[0, i]
        real_topk = torch.topk
        with torch.no_grad(), mock.patch.object(torch, "topk", side_effect=lambda x, k, *a, **kw: (
                x.gather(1, swapped), swapped) if k == queries else real_topk(x, k, *a, **kw)):
            out = model(**inputs)
        return {"logits": out.logits.numpy(), "pred_boxes": out.pred_boxes.numpy(),
                "init_reference_points": out.init_reference_points.numpy()}

    assert grounding_dino_diff(model, feeds, {"logits": ref.logits.numpy(), "pred_boxes": ref.pred_boxes.numpy(),
                                              "init_reference_points": ref.init_reference_points.numpy()}) == 0.0
    gaps = scores[0, : queries - 1] - scores[0, 1:queries]
    close = int(torch.where(gaps > 0, gaps, torch.inf).argmin())  # two adjacent proposals scored most alike
    gap = float(gaps[close])
    got = outputs_choosing(close, close + 1)
    slot_by_slot = grounding_dino_diff(model, feeds, {k: got[k] for k in ("logits", "pred_boxes")})
    assert slot_by_slot > 10 * gap  # the swapped slots hold other detections ...
    assert grounding_dino_diff(model, feeds, got) == pytest.approx(gap, abs=1e-6)  # ... the check sees the score gap
    # the best proposal put last, or the last one replaced by one torch left out: wrong graphs, over the 1e-3 the
    # build accepts
    assert grounding_dino_diff(model, feeds, outputs_choosing(0, queries - 1)) > 1e-2
    left_out = float(scores[0, queries - 1] - scores[0, queries + 5])
    assert grounding_dino_diff(model, feeds, outputs_choosing(queries - 1, queries + 5)) == pytest.approx(left_out,
                                                                                                         abs=1e-6)
    got = {"logits": ref.logits.numpy().copy(), "pred_boxes": ref.pred_boxes.numpy(),
           "init_reference_points": ref.init_reference_points.numpy()}
    got["logits"][0, 3, 1] += 0.01  # one wrong logit
    assert grounding_dino_diff(model, feeds, got) == pytest.approx(0.01, abs=1e-6)
    got["logits"][0, 3, 1] = -np.inf  # a token masked in one and not the other
    assert grounding_dino_diff(model, feeds, got) == np.inf


def test_the_export_linspace_equals_torch_and_never_divides_by_zero():
    from rvos_ros.engines import detector_export as de

    de._TORCH_LINSPACE = de._TORCH_LINSPACE or torch.linspace
    for start, end, steps in ((0.5, 0.5, 1), (0, 0, 1), (0.5, 11.5, 12), (0, 7, 8), (0.0, 1.0, 5)):
        for dtype in (torch.float32, torch.float64):
            want = torch.linspace(start, end, steps, dtype=dtype)
            got = de._linspace(torch.tensor(start), end, torch.tensor(steps), dtype=dtype)
            assert got.dtype == dtype and torch.allclose(got, want, atol=1e-6)


# -- CLIP ----------------------------------------------------------------------------------------------------------


def test_clip_towers_match_torch_and_the_onnx_verifier_gives_the_same_scores(clip):
    cfg, ref, files = clip
    ort_clip = OrtClipModel(model_dir=cfg.clip_model, onnx_files=files, logit_scale=clip_logit_scale(ref.clip.model))
    ort_ver = ClipVerifier(ort_clip, cfg)
    prompts = ["a photo of a dog", "a photo of a sitting dog", "a photo of a dog wearing a hat"]
    text, ref_text = ort_clip.text_features("q", prompts), ref.clip.text_features("q", prompts)
    assert np.abs(text.numpy() - ref_text.numpy()).max() < 1e-4
    crops = [np.random.default_rng(i).integers(0, 256, (20 + 7 * i, 20 + 7 * i, 3), dtype=np.uint8) for i in range(3)]
    assert np.abs(ort_clip.image_features(crops).numpy() - ref.clip.image_features(crops).numpy()).max() < 1e-4
    window = two_dogs()
    want = ref.score(window, [1, 2], ["sitting", "wearing a hat"], category="dog")
    got = ort_ver.score(window, [1, 2], ["sitting", "wearing a hat"], category="dog")
    assert set(got) == {1, 2} and got.keys() == want.keys()
    for tid in want:
        for phrase, p in want[tid].items():
            assert got[tid][phrase] == pytest.approx(p, abs=1e-4)
    # a candidate with no usable mask is skipped the same way
    empty = two_dogs(keyframes=[keyframe(10, 1, {1: box_mask(5, 15, 30, 45), 2: box_mask(0, 0, 1, 1)})])
    assert ort_ver.score(empty, [1, 2], ["sitting"], category="dog").keys() == {1}
    assert ort_clip.model is None


# -- sessions and TensorRT -----------------------------------------------------------------------------------------


def test_session_factory_refuses_unknown_or_missing_providers_and_missing_files(owlv2, tmp_path):
    _, _, files = owlv2
    assert make_session(files["owlv2_text"], providers="cpu").get_providers() == ["CPUExecutionProvider"]
    with pytest.raises(EngineError, match="unknown onnxruntime provider 'gpu'"):
        providers_for("gpu")
    import onnxruntime

    if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
        with pytest.raises(EngineError, match=r"CUDAExecutionProvider.*not available.*onnxruntime-gpu"):
            make_session(files["owlv2_text"], providers="cuda")
    with pytest.raises(EngineError, match="does not exist.*engines build"):
        make_session(tmp_path / "nothing.onnx")
    (tmp_path / "bad.onnx").write_bytes(b"not a graph")
    with pytest.raises(EngineError, match="cannot open.*bad.onnx"):
        make_session(tmp_path / "bad.onnx")
    with pytest.raises(EngineError, match=r"needs inputs \['attention_mask'\]"):
        OrtPart(files["owlv2_text"])(input_ids=np.zeros((1, 8), np.int64))


@pytest.mark.skipif(_has_trt_gpu(), reason="TensorRT is installed here; the guard cannot be seen")
def test_tensorrt_without_tensorrt_is_a_clear_engine_error(owlv2, tmp_path):
    with pytest.raises(EngineError, match=r"needs NVIDIA TensorRT.*--backend onnx"):
        build_engine(owlv2[2]["owlv2_text"], tmp_path / "x.engine")
    with pytest.raises(EngineError, match="needs NVIDIA TensorRT"):
        TrtRunner(tmp_path / "x.engine")


@pytest.mark.skipif(not _has_trt_gpu(), reason="needs a CUDA GPU and TensorRT")
def test_a_tensorrt_fp16_engine_matches_torch_closely(owlv2, tmp_path):
    cfg, det, files = owlv2
    engine = build_engine(files["owlv2_image"], tmp_path / "owlv2_image.engine", fp16=True,
                          profile={"pixel_values": ((1, 3, 32, 32), (1, 3, 32, 32), (2, 3, 32, 32)),
                                   "query_embeds": ((1, 1, 16), (1, 3, 16), (2, 8, 16))},
                          timing_cache=tmp_path / "timing.cache")
    assert (tmp_path / "timing.cache").is_file()
    pixels = np.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype(np.float32)
    queries = np.random.default_rng(1).standard_normal((1, 3, 16)).astype(np.float32)
    got = TrtRunner(engine)(pixel_values=pixels, query_embeds=queries)
    want = OrtPart(files["owlv2_image"])(pixel_values=pixels, query_embeds=queries)
    assert np.abs(got["pred_boxes"] - want["pred_boxes"]).max() < 2e-2
