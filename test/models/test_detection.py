"""The open-vocabulary detector: one contract, two transformers backends (tiny random models, no downloads)."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("torchvision")

from transformers import GroundingDinoProcessor, Owlv2Processor  # noqa: E402

from rvos_ros.config import DetectorConfig  # noqa: E402
from rvos_ros.errors import ConfigError, InputError, ModelError  # noqa: E402
from rvos_ros.models.detection import Detector, check_image, normalize_phrases, select_detections  # noqa: E402
from rvos_ros.models.detectors import build_detector  # noqa: E402
from rvos_ros.models.grounding_dino import caption_piece  # noqa: E402
from rvos_ros.perception.phrases import query_phrases  # noqa: E402
from rvos_ros.reasoning.query_parser import QueryParser  # noqa: E402
from rvos_ros.testing.tiny_detectors import build_tiny_grounding_dino, build_tiny_owlv2  # noqa: E402
from rvos_ros.types import Detection, ParsedQuery  # noqa: E402

H, W = 60, 80
PHRASES = ("dog", "red ball", "cat")
BACKENDS = ("grounding_dino", "owlv2")
# random weights score anything: thresholds at 0 and no NMS show every box the model produced
OPEN = {"box_threshold": 0.0, "text_threshold": 0.0, "nms_iou": 1.0, "max_detections": 100}


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("detectors")
    return {"grounding_dino": build_tiny_grounding_dino(root), "owlv2": build_tiny_owlv2(root)}


def config(folders, backend: str, **overrides) -> DetectorConfig:
    key = "grounding_dino_model" if backend == "grounding_dino" else "owlv2_model"
    return DetectorConfig(backend=backend, **{key: str(folders[backend])}, **{**OPEN, **overrides})


def detector(folders, backend: str, phrases=PHRASES, **overrides):
    det = build_detector(config(folders, backend, **overrides), models_dir="/nonexistent", device="cpu")
    det.set_phrases(phrases)
    return det


@pytest.fixture(scope="module")
def image():
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    img[10:40, 20:50] = (200, 40, 40)  # some structure, not only noise
    return img


@pytest.fixture(scope="module")
def all_boxes(folders, image):
    """Every box each backend produces on the test image (no threshold, no NMS, no cap)."""
    return {b: detector(folders, b).detect(image) for b in BACKENDS}


def iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


# --- phrases ---------------------------------------------------------------------------------------------------


def test_query_phrases_are_categories_then_context_deduplicated():
    parser = QueryParser()
    assert query_phrases(parser.parse("the dog running towards the ball")) == ("dog", "ball")
    assert query_phrases(parser.parse("the person walking towards the door")) == ("person", "door")
    assert query_phrases(parser.parse("the teddy bear next to the cat")) == ("teddy bear", "cat")
    assert query_phrases(parser.parse("the dog chasing the other dog")) == ("dog",)


def test_query_phrases_leave_attributes_to_the_reasoner():
    query = QueryParser().parse("the big red car on the left")
    assert query.attributes  # the parser saw the attributes ...
    assert query_phrases(query) == ("car",)  # ... and the detector looks for every car


def test_query_without_a_category_looks_for_any_object_first():
    assert query_phrases(QueryParser().parse("something moving to the left")) == ("object",)
    assert query_phrases(ParsedQuery(text="whatever hits the ball", context=("ball",))) == ("object", "ball")


def test_phrases_are_cleaned_and_deduplicated_case_insensitively():
    assert normalize_phrases([" Red  ball ", "dog", "red BALL", "", "   ", "dog"]) == ("Red ball", "dog")


def test_phrases_must_be_a_sequence_of_strings():
    with pytest.raises(InputError, match="wrap it in a list"):
        normalize_phrases("dog")
    with pytest.raises(InputError, match="not a string"):
        normalize_phrases(["dog", 3])


def test_caption_pieces_lose_the_grounding_dino_delimiters():
    assert caption_piece("Red. Ball?") == "red ball"
    assert caption_piece(" ? . ") == ""


# --- the detector contract, on both backends -------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_detections_honour_the_contract(folders, image, backend):
    det = detector(folders, backend, box_threshold=0.05, text_threshold=0.05, nms_iou=0.7, max_detections=10)
    assert isinstance(det, Detector)
    out = det.detect(image)
    assert out, "the tiny model must produce detections to check"
    assert len(out) <= 10
    for d in out:
        assert isinstance(d, Detection)
        assert isinstance(d.score, float) and 0.05 <= d.score <= 1.0
        assert d.phrase in PHRASES
        x1, y1, x2, y2 = d.box
        assert all(isinstance(v, float) for v in d.box)
        assert 0.0 <= x1 < x2 <= W and 0.0 <= y1 < y2 <= H
    scores = [d.score for d in out]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_box_threshold_drops_weaker_boxes(folders, image, all_boxes, backend):
    scores = sorted(d.score for d in all_boxes[backend])
    threshold = float(scores[len(scores) // 2])
    out = detector(folders, backend, box_threshold=threshold).detect(image)
    assert out and all(d.score >= threshold for d in out)
    assert len(out) < len(all_boxes[backend])


def test_grounding_dino_text_threshold_drops_weaker_labels(folders, image, all_boxes):
    scores = sorted(d.score for d in all_boxes["grounding_dino"])
    threshold = float(scores[len(scores) // 2])
    out = detector(folders, "grounding_dino", text_threshold=threshold).detect(image)
    assert out and all(d.score >= threshold for d in out)
    assert len(out) < len(all_boxes["grounding_dino"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_max_detections_keeps_the_best(folders, image, all_boxes, backend):
    out = detector(folders, backend, max_detections=3).detect(image)
    assert len(all_boxes[backend]) > 3
    assert [d.score for d in out] == [d.score for d in all_boxes[backend][:3]]


@pytest.mark.parametrize("backend", BACKENDS)
def test_nms_leaves_no_two_boxes_overlapping_more_than_nms_iou(folders, image, all_boxes, backend):
    everything = all_boxes[backend]
    # random boxes overlap little: suppress at half the largest overlap the model produced
    limit = max(iou(a.box, b.box) for i, a in enumerate(everything) for b in everything[i + 1:]) / 2
    assert limit > 0.01
    out = detector(folders, backend, nms_iou=limit).detect(image)
    assert 0 < len(out) < len(everything)
    assert all(iou(a.box, b.box) <= limit + 1e-6 for i, a in enumerate(out) for b in out[i + 1:])
    assert out[0] == everything[0]  # the best box always survives


@pytest.mark.parametrize("backend", BACKENDS)
def test_same_image_gives_the_same_detections(folders, image, backend):
    det = detector(folders, backend, box_threshold=0.05, text_threshold=0.05)
    first = det.detect(image)
    assert first and det.detect(image) == first
    assert detector(folders, backend, box_threshold=0.05, text_threshold=0.05).detect(image) == first


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_phrases_means_no_detections(folders, image, backend):
    det = build_detector(config(folders, backend), models_dir="/nonexistent", device="cpu")
    assert det.detect(image) == []  # before set_phrases
    det.set_phrases(["dog"])
    assert det.detect(image)
    det.set_phrases([" ", ""])
    assert det.detect(image) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_labels_are_the_phrases_as_given(folders, image, backend):
    out = detector(folders, backend, phrases=["Dog", "dog", "zebra crossing"]).detect(image)
    assert out and {d.phrase for d in out} <= {"Dog", "zebra crossing"}  # unknown words still work


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bad", [np.zeros((H, W), np.uint8), np.zeros((H, W, 4), np.uint8),
                                 np.zeros((H, W, 3), np.float32), np.zeros((0, W, 3), np.uint8), "image.png"],
                         ids=["gray", "rgba", "float", "empty", "path"])
def test_non_rgb_uint8_images_are_refused(folders, backend, bad):
    det = detector(folders, backend)
    with pytest.raises(InputError, match="HxWx3 uint8 RGB"):
        det.detect(bad)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_model_failing_on_an_image_is_a_model_error(folders, image, backend, monkeypatch):
    det = detector(folders, backend)
    part = det.model if backend == "grounding_dino" else det.model.owlv2.vision_model

    def out_of_memory(*args, **kwargs):
        raise RuntimeError("CUDA out of memory")

    monkeypatch.setattr(part, "forward", out_of_memory)
    with pytest.raises(ModelError, match=r"failed on a 80x60 image .*out of memory.*perception.device"):
        det.detect(image)


def test_check_image_reports_height_and_width():
    assert check_image(np.zeros((7, 9, 3), np.uint8)) == (7, 9)


# --- backend specifics -----------------------------------------------------------------------------------------


def test_owlv2_encodes_the_text_once_per_set_phrases(folders, image):
    det = detector(folders, "owlv2", phrases=())
    calls = {"text": 0, "vision": 0}
    det.model.owlv2.text_model.register_forward_hook(lambda *_: calls.__setitem__("text", calls["text"] + 1))
    det.model.owlv2.vision_model.register_forward_hook(lambda *_: calls.__setitem__("vision", calls["vision"] + 1))
    det.set_phrases(PHRASES)
    assert calls == {"text": 1, "vision": 0}
    for _ in range(3):
        assert det.detect(image)
    assert calls == {"text": 1, "vision": 3}
    det.set_phrases(["dog"])
    det.detect(image)
    assert calls == {"text": 2, "vision": 4}


def _clipped(box) -> tuple[float, float, float, float] | None:
    x1, y1, x2, y2 = np.clip(box[0], 0, W), np.clip(box[1], 0, H), np.clip(box[2], 0, W), np.clip(box[3], 0, H)
    return (float(x1), float(y1), float(x2), float(y2)) if x2 > x1 and y2 > y1 else None


def test_owlv2_matches_the_one_shot_transformers_pipeline(folders, image):
    """Cached text embeddings give what transformers' own forward + post-processing gives, box for box."""
    out = detector(folders, "owlv2").detect(image)
    processor = Owlv2Processor.from_pretrained(folders["owlv2"])
    pix = processor.image_processor(images=image, input_data_format="channels_last", return_tensors="pt")
    tokens = processor.tokenizer(list(PHRASES), padding="max_length", max_length=8, return_tensors="pt")
    model = detector(folders, "owlv2").model
    with torch.inference_mode():
        raw = model(input_ids=tokens["input_ids"], attention_mask=tokens["attention_mask"],
                    pixel_values=pix["pixel_values"])
    ref = processor.post_process_grounded_object_detection(raw, threshold=0.0, target_sizes=[(H, W)],
                                                           text_labels=[list(PHRASES)])[0]
    rows = zip(ref["scores"].tolist(), ref["text_labels"], ref["boxes"].tolist(), strict=True)
    expected = sorted(((s, lab, _clipped(b)) for s, lab, b in rows if _clipped(b)), reverse=True)
    assert len(out) == len(expected) > 0
    for d, (score, phrase, box) in zip(out, expected, strict=True):
        assert d.phrase == phrase
        assert d.score == pytest.approx(score, abs=1e-5)
        assert np.allclose(d.box, box, atol=1e-3)


def test_grounding_dino_labels_each_box_with_the_phrase_of_its_best_token(folders, image):
    out = detector(folders, "grounding_dino").detect(image)
    processor = GroundingDinoProcessor.from_pretrained(folders["grounding_dino"])
    pix = processor.image_processor(images=image, input_data_format="channels_last", return_tensors="pt")
    text = processor.tokenizer("dog. red ball. cat.", return_tensors="pt")
    with torch.inference_mode():
        raw = detector(folders, "grounding_dino").model(**pix, **text)
    boxes = processor.post_process_grounded_object_detection(raw, threshold=0.0, text_threshold=0.0,
                                                             target_sizes=[(H, W)])[0]["boxes"].tolist()
    words = processor.tokenizer.convert_ids_to_tokens(text["input_ids"][0].tolist())
    content = [i for i, w in enumerate(words) if w not in ("[CLS]", "[SEP]", ".")]
    probs = raw.logits[0].sigmoid()
    reference = {}
    for q, box in enumerate(boxes):
        best = max(content, key=lambda i: float(raw.logits[0, q, i]))
        if _clipped(box):
            reference[_clipped(box)] = (float(probs[q, best]), words[best])
    assert len(out) == len(reference) > 0
    for d in out:
        key = min(reference, key=lambda b: float(np.abs(np.subtract(b, d.box)).max()))
        assert np.allclose(key, d.box, atol=1e-3)
        score, word = reference[key]
        assert d.score == pytest.approx(score, abs=1e-5)
        assert word in d.phrase.split()


def test_grounding_dino_keeps_only_phrases_that_fit_its_text_length(folders, image):
    many = ["dog"] + [f"{w} {v}" for w in ("red", "blue", "teddy") for v in ("dog", "cat", "ball", "bear", "box")]
    det = detector(folders, "grounding_dino", phrases=many)
    # 32 tokens: [CLS] "dog ." (2) + 9 x "red dog ." (27) + [SEP] leave one token: the 11th phrase would be cut
    assert det.phrases == tuple(many[:10])
    out = det.detect(image)
    assert out and {d.phrase for d in out} <= set(det.phrases)


# --- select_detections (the shared tail) -------------------------------------------------------------------------


def _select(boxes, scores, labels, **cfg):
    return select_detections(torch.tensor(boxes, dtype=torch.float32), torch.tensor(scores),
                             torch.tensor(labels), ("dog", "ball"), width=100, height=50,
                             cfg=DetectorConfig(**{"box_threshold": 0.3, "nms_iou": 0.5, **cfg}))


def test_nms_is_class_agnostic_and_thresholds_apply():
    out = _select([[10, 10, 40, 40], [12, 12, 41, 41], [60, 10, 90, 40], [0, 0, 5, 5]],
                  [0.6, 0.9, 0.5, 0.2], [0, 1, 0, 0])
    # the "dog" box under the better "ball" box is suppressed; the 0.2 box is below box_threshold
    assert [(d.phrase, round(d.score, 3)) for d in out] == [("ball", 0.9), ("dog", 0.5)]


def test_boxes_are_clipped_to_the_image_and_empty_ones_dropped():
    out = _select([[-10, -5, 120, 70], [150, 10, 160, 20]], [0.8, 0.9], [1, 0])
    assert [d.box for d in out] == [(0.0, 0.0, 100.0, 50.0)]


def test_max_detections_caps_after_nms():
    boxes = [[i * 10, 0, i * 10 + 8, 8] for i in range(6)]
    out = _select(boxes, [0.4, 0.9, 0.5, 0.8, 0.6, 0.7], [0] * 6, max_detections=2)
    assert [round(d.score, 3) for d in out] == [0.9, 0.8]


# --- loading -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_model_folder_named_under_models_dir_loads(folders, image, backend):
    key = "grounding_dino_model" if backend == "grounding_dino" else "owlv2_model"
    cfg = DetectorConfig(backend=backend, **{key: folders[backend].name}, **OPEN)
    det = build_detector(cfg, models_dir=folders[backend].parent, device="auto")
    det.set_phrases(PHRASES)
    assert det.detect(image)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_missing_model_says_how_to_get_it(tmp_path, backend):
    key = "grounding_dino_model" if backend == "grounding_dino" else "owlv2_model"
    cfg = DetectorConfig(backend=backend, **{key: "no-such-org/no-such-detector"})
    with pytest.raises(ModelError, match=r"no-such-org/no-such-detector.*rvos-ros models pull"):
        build_detector(cfg, models_dir=tmp_path, device="cpu")


def test_a_broken_model_folder_says_how_to_get_it(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match=r"broken.*rvos-ros models pull"):
        build_detector(DetectorConfig(grounding_dino_model=str(broken)), models_dir=tmp_path, device="cpu")


def test_an_empty_model_name_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="model name is empty"):
        build_detector(DetectorConfig(owlv2_model=" ", backend="owlv2"), models_dir=tmp_path, device="cpu")
