"""CLIP fine verification: crops, prompts, scores from a tiny random CLIP, and the identify() hook."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from rvos_ros.config import (  # noqa: E402
    Config,  # noqa: E402
    ReasoningConfig,
    VerifierConfig,
)
from rvos_ros.errors import ModelError  # noqa: E402
from rvos_ros.models.clip import ClipModel  # noqa: E402
from rvos_ros.reasoning.clip_verifier import (  # noqa: E402
    ClipVerifier,
    appearance_evidence,
    crop_candidate,
    prompt_text,
)
from rvos_ros.reasoning.identify import TargetIdentifier, identify  # noqa: E402
from rvos_ros.reasoning.query_parser import QueryParser, category_matches  # noqa: E402
from rvos_ros.runtime import ModelRegistry  # noqa: E402
from rvos_ros.testing.tiny_clip import build_tiny_clip  # noqa: E402
from rvos_ros.types import Descriptor, Keyframe, TrackTrajectory, TrajectoryWindow  # noqa: E402

CFG = ReasoningConfig()
H, W, N = 60, 80, 30
PARSER = QueryParser()


@pytest.fixture(scope="module")
def clip_folder(tmp_path_factory):
    torch.set_num_threads(1)
    return build_tiny_clip(tmp_path_factory.mktemp("clip"))


@pytest.fixture(scope="module")
def verifier(clip_folder):
    return clip_verifier(clip_folder, keyframes=2)


def clip_verifier(folder, **cfg):
    """A verifier on the tiny CLIP saved in ``folder``."""
    return ClipVerifier(ClipModel.load(str(folder), models_dir="unused", device="cpu"),
                        VerifierConfig(backend="clip", clip_model=str(folder), **cfg))


def box_mask(x0, y0, x1, y1):
    m = np.zeros((H, W), bool)
    m[y0:y1, x0:x1] = True
    return m


def keyframe(index, seed, masks):
    image = np.random.default_rng(seed).integers(0, 256, (H, W, 3), dtype=np.uint8)
    return Keyframe(index, image, masks)


def static_track(tid, x, label="dog"):
    rows = np.array([[f, x, 20.0, x + 20.0, 40.0, 1.0] for f in range(N)])
    return TrackTrajectory(tid, label, 0.9, rows)


def two_dogs(command="the dog that is sitting", keyframes=None, extra=()):
    """Two static dogs side by side (the rules cannot tell them apart) seen on two keyframes."""
    if keyframes is None:
        keyframes = [keyframe(10, 1, {1: box_mask(5, 15, 30, 45), 2: box_mask(45, 10, 75, 50)}),
                     keyframe(20, 2, {1: box_mask(6, 15, 31, 45), 2: box_mask(44, 12, 74, 50)})]
    tracks = (static_track(1, 5.0), static_track(2, 45.0), *extra)
    return TrajectoryWindow(command, 15.0, W, H, N, tracks, keyframes=tuple(keyframes))


class StubVerifier:
    """Scores that favour ``favourite`` for every phrase; records what it was asked."""

    def __init__(self, favourite, p=0.95):
        self.favourite, self.p, self.calls = favourite, p, []

    def score(self, window, track_ids, phrases, *, category="object"):
        self.calls.append((tuple(track_ids), tuple(phrases), category))
        rest = (1.0 - self.p) / max(len(track_ids) - 1, 1)
        return {t: {ph: self.p if t == self.favourite else rest for ph in phrases} for t in track_ids}


# -- prompts and crops -------------------------------------------------------------------------------------------

def test_prompts_put_one_word_before_the_category_and_phrases_after_it():
    assert prompt_text("sitting", "dog") == "a photo of a sitting dog"
    assert prompt_text("lying down", "dog") == "a photo of a dog lying down"
    assert prompt_text("wearing a hat", "person") == "a photo of a person wearing a hat"
    assert prompt_text("orange", "cat") == "a photo of an orange cat"
    assert prompt_text("", "elephant") == "a photo of an elephant"
    assert prompt_text("red", "") == "a photo of a red object"


def test_crop_is_the_padded_square_mask_box_with_the_background_dimmed():
    image = np.full((H, W, 3), 250, np.uint8)
    mask = box_mask(30, 20, 40, 40)  # 10 wide, 20 tall
    image[mask] = (200, 10, 10)
    crop = crop_candidate(image, mask)
    assert crop.dtype == np.uint8 and crop.shape[0] == crop.shape[1] == 24  # 20 px + 2 px padding each side
    # the 14 px wide box is centred in the square: columns 5-6 are padding around the mask, 7-16 the object
    assert np.all(crop[2:22, 7:17] == (200, 10, 10))  # the object keeps its pixels
    background = crop[12, 6]  # beside the object, inside the padded box
    assert np.all(background < 250) and np.all(background > 140)  # dimmed towards grey, not removed
    assert np.all(crop[12, :5] == crop[12, 0]) and np.all(crop[12, 0] < background)  # grey side padding
    assert crop_candidate(image, np.zeros((H, W), bool)) is None
    assert crop_candidate(image, None) is None
    assert crop_candidate(image, np.ones((H + 1, W), bool)) is None  # a mask of another frame size


# -- scores from the tiny CLIP -------------------------------------------------------------------------------------

def test_scores_are_per_candidate_and_phrase_and_sum_to_one_over_candidates(verifier):
    w = two_dogs(extra=(static_track(3, 20.0),))
    w = TrajectoryWindow(w.query, w.fps, W, H, N, w.tracks, keyframes=(
        keyframe(10, 1, {1: box_mask(5, 15, 30, 45), 2: box_mask(45, 10, 75, 50), 3: box_mask(30, 0, 45, 14)}),))
    scores = verifier.score(w, [1, 2, 3], ["sitting", "wearing a hat"], category="dog")
    assert set(scores) == {1, 2, 3}
    for phrase in ("sitting", "wearing a hat"):
        assert sum(scores[t][phrase] for t in scores) == pytest.approx(1.0)
        assert all(0.0 < scores[t][phrase] < 1.0 for t in scores)


def test_scoring_is_deterministic(verifier, clip_folder):
    w = two_dogs()
    first = verifier.score(w, [1, 2], ["sitting"], category="dog")
    assert verifier.score(w, [2, 1], ["sitting"], category="dog") == first
    again = clip_verifier(clip_folder)
    assert again.score(w, [1, 2], ["sitting"], category="dog") == first


def test_text_embeddings_are_encoded_once_per_command(clip_folder):
    verifier = clip_verifier(clip_folder)
    calls = []
    original = verifier.clip.model.get_text_features

    def spy(**kw):
        calls.append(kw["input_ids"].shape[0])
        return original(**kw)

    verifier.clip.model.get_text_features = spy
    try:
        verifier.score(two_dogs("the dog that is sitting"), [1, 2], ["sitting"], category="dog")
        verifier.score(two_dogs("the dog that is sitting"), [1, 2], ["sitting"], category="dog")
        assert calls == [2]  # the phrase prompt and the neutral prompt, once
        verifier.score(two_dogs("the dog that is sitting"), [1, 2], ["sitting", "wearing a hat"], category="dog")
        assert calls == [2, 1]  # only the new prompt
        verifier.score(two_dogs("the standing dog"), [1, 2], ["standing"], category="dog")
        assert calls == [2, 1, 2]  # a new command starts a new cache
        assert verifier.clip.cached_prompts == ("a photo of a dog", "a photo of a standing dog")
    finally:
        del verifier.clip.model.get_text_features


def test_a_candidate_without_a_usable_mask_is_skipped(verifier):
    kfs = [keyframe(10, 1, {1: box_mask(5, 15, 30, 45), 2: box_mask(45, 10, 75, 50), 3: np.zeros((H, W), bool)}),
           keyframe(20, 2, {1: box_mask(6, 15, 31, 45), 2: box_mask(44, 12, 74, 50)})]
    w = two_dogs(keyframes=kfs, extra=(static_track(3, 20.0),))
    scores = verifier.score(w, [1, 2, 3], ["sitting"], category="dog")
    assert set(scores) == {1, 2}
    assert verifier.score(two_dogs(keyframes=[]), [1, 2], ["sitting"], category="dog") == {}


def test_probabilities_become_descriptor_scores_relative_to_chance():
    w = two_dogs()
    sitting = Descriptor("posture", "sitting")
    even = appearance_evidence(StubVerifier(1, p=0.5), w, [1, 2], [sitting])
    assert even == {1: {"posture:sitting": pytest.approx(0.5)}, 2: {"posture:sitting": pytest.approx(0.5)}}
    clear = appearance_evidence(StubVerifier(2, p=0.95), w, [1, 2], [sitting])
    assert clear[2]["posture:sitting"] > 0.85 and clear[1]["posture:sitting"] < 0.05
    assert appearance_evidence(StubVerifier(1), w, [1], [sitting]) == {}  # nothing to contrast with


# -- the identify() hook -----------------------------------------------------------------------------------------

def test_verifier_evidence_decides_a_posture_query_the_rules_cannot(verifier):
    query = PARSER.parse("the dog that is sitting")
    without = identify(two_dogs(), query, CFG, match=category_matches)
    assert without.stage == "rules" and "not judged" in without.rationale
    for favourite in (1, 2):
        stub = StubVerifier(favourite)
        d = identify(two_dogs(), query, CFG, match=category_matches, verifier=stub)
        assert (d.targets, d.stage, d.state) == ((favourite,), "verify", "locked")
        assert "looks sitting" in d.rationale
        assert stub.calls == [((1, 2), ("sitting",), "dog")]
    stub = StubVerifier(2)
    ident = TargetIdentifier(CFG, match=category_matches, verifier=stub)
    ident.set_query(query, generation=1)
    fresh = identify(two_dogs(), query, CFG, match=category_matches, verifier=stub, frame_index=29, generation=1)
    assert ident.accept(two_dogs(), fresh).targets == (2,)


def test_negated_appearance_phrases_invert_the_evidence():
    d = identify(two_dogs(), PARSER.parse("the dog that is not sitting"), CFG, match=category_matches,
                 verifier=StubVerifier(2))
    assert (d.targets, d.stage) == ((1,), "verify")


def test_without_a_verifier_or_appearance_words_decisions_are_unchanged():
    stub = StubVerifier(2)
    for command in ("the dog on the left", "the dog that is not moving", "the biggest dog"):
        query = PARSER.parse(command)
        assert identify(two_dogs(), query, CFG, match=category_matches, verifier=stub) == \
            identify(two_dogs(), query, CFG, match=category_matches)
    posture = PARSER.parse("the dog that is sitting")
    no_pixels = two_dogs(keyframes=[])
    assert identify(no_pixels, posture, CFG, match=category_matches, verifier=stub) == \
        identify(no_pixels, posture, CFG, match=category_matches)
    assert stub.calls == []


def test_a_failing_verifier_leaves_the_rules_answer_with_a_note():
    class Broken:
        def score(self, *args, **kwargs):
            raise ModelError("the CLIP image tower failed (out of memory)")

    query = PARSER.parse("the dog that is sitting")
    d = identify(two_dogs(), query, CFG, match=category_matches, verifier=Broken())
    plain = identify(two_dogs(), query, CFG, match=category_matches)
    assert (d.targets, d.stage, d.state) == (plain.targets, "rules", plain.state)
    assert "appearance verification failed" in d.rationale and "out of memory" in d.rationale


def test_the_tiny_clip_runs_through_identify_deterministically(verifier):
    query = PARSER.parse("the dog that is sitting")
    first = identify(two_dogs(), query, CFG, match=category_matches, verifier=verifier)
    assert first.stage == "verify" and first.targets in ((1,), (2,))
    assert identify(two_dogs(), query, CFG, match=category_matches, verifier=verifier) == first


# -- loading ----------------------------------------------------------------------------------------------------

def test_the_registry_has_no_verifier_for_pixels_and_finds_clip_under_models_dir(clip_folder):
    assert ModelRegistry(Config()).verifier() is None
    cfg = Config().replace(**{"verifier.backend": "clip", "verifier.clip_model": clip_folder.name,
                              "perception.models_dir": str(clip_folder.parent), "perception.device": "cpu"})
    models = ModelRegistry(cfg)
    verifier = models.verifier()
    assert isinstance(verifier, ClipVerifier) and models.verifier() is verifier  # loaded once, then kept
    models.close()
    assert models.verifier() is not verifier  # released: the next call loads again


def test_a_missing_model_is_a_model_error_with_the_pull_hint(tmp_path):
    cfg = VerifierConfig(backend="clip", clip_model="nobody/no-such-clip")
    with pytest.raises(ModelError, match=r"hub id 'nobody/no-such-clip'.*rvos-ros models pull"):
        ClipModel.load(cfg.clip_model, models_dir=tmp_path, device="cpu")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match=r"local folder .*empty.*rvos-ros models pull"):
        ClipModel.load("empty", models_dir=tmp_path, device="cpu")
