"""Simulated perception: the ground-truth oracle and its seeded noise."""

from __future__ import annotations

import numpy as np
import pytest

from rvos_ros.config import NoiseConfig, PerceptionConfig
from rvos_ros.errors import InputError
from rvos_ros.geometry import mask_box
from rvos_ros.perception.simulated import UNKNOWN_LABEL, SimulatedPerception, shift_mask
from rvos_ros.types import Frame

H, W = 60, 80
SEC = 1_000_000_000
STEP_NS = SEC // 10  # 10 fps


def frame(stamp_ns: int) -> Frame:
    return Frame(image=np.zeros((H, W, 3), np.uint8), stamp_ns=stamp_ns)


def scene(objects: dict[int, tuple[int, int, int, int]]) -> np.ndarray:
    """Label map with object id → filled rectangle (x1, y1, x2, y2), exclusive far corner."""
    labels = np.zeros((H, W), np.uint8)
    for oid, (x1, y1, x2, y2) in objects.items():
        labels[y1:y2, x1:x2] = oid
    return labels


def noisy(**noise: float) -> PerceptionConfig:
    return PerceptionConfig(noise=NoiseConfig(**noise))


def run(perc: SimulatedPerception, label_maps: list[np.ndarray]) -> list[tuple]:
    out = []
    for t, labels in enumerate(label_maps):
        perc.feed_labels(t * STEP_NS, labels)
        out.append(perc.step(frame(t * STEP_NS)))
    return out


def test_reports_every_object_with_box_mask_and_category() -> None:
    labels = scene({1: (10, 5, 30, 25), 3: (50, 40, 52, 41)})
    perc = SimulatedPerception(PerceptionConfig(), {1: "dog", 3: "ball"})
    perc.feed_labels(0, labels)
    tracks = perc.step(frame(0))
    assert [t.id for t in tracks] == [1, 3]
    dog, ball = tracks
    assert (dog.label, dog.score, dog.visible) == ("dog", 1.0, True)
    assert dog.box == (10.0, 5.0, 30.0, 25.0)  # exclusive far corner: width 20, height 20
    assert ball.box == (50.0, 40.0, 52.0, 41.0)
    assert dog.mask.dtype == bool and dog.mask.shape == (H, W)
    assert np.array_equal(dog.mask, labels == 1)
    assert ball.mask.sum() == 2


def test_unknown_category_is_object_and_late_categories_apply() -> None:
    perc = SimulatedPerception(PerceptionConfig(), {})
    perc.feed_labels(0, scene({2: (0, 0, 5, 5)}))
    assert perc.step(frame(0))[0].label == UNKNOWN_LABEL
    perc.set_categories({"2": "cup"})  # meta.json / sim/objects keys are strings
    perc.feed_labels(STEP_NS, scene({2: (0, 0, 5, 5)}))
    assert perc.step(frame(STEP_NS))[0].label == "cup"
    assert perc.categories == {2: "cup"}


def test_absent_object_keeps_last_box_invisible_then_is_forgotten() -> None:
    perc = SimulatedPerception(PerceptionConfig(), {1: "dog", 2: "cat"}, forget_after_s=2.0)
    perc.feed_labels(0, scene({1: (10, 10, 20, 20), 2: (40, 10, 50, 20)}))
    perc.step(frame(0))
    only_cat = scene({2: (41, 10, 51, 20)})
    for stamp in (SEC, 2 * SEC):
        perc.feed_labels(stamp, only_cat)
        dog = perc.step(frame(stamp))[0]
        assert (dog.id, dog.visible, dog.mask, dog.box) == (1, False, None, (10.0, 10.0, 20.0, 20.0))
    perc.feed_labels(2 * SEC + 1, only_cat)
    assert [t.id for t in perc.step(frame(2 * SEC + 1))] == [2]  # more than 2 s unseen: forgotten
    # Coming back, it is a visible object again.
    perc.feed_labels(3 * SEC, scene({1: (0, 0, 4, 4)}))
    tracks = perc.step(frame(3 * SEC))
    assert [(t.id, t.visible) for t in tracks] == [(1, True), (2, False)]


def test_frames_without_labels_and_stale_labels() -> None:
    perc = SimulatedPerception(PerceptionConfig(), {1: "dog"})
    assert perc.step(frame(0)) == ()
    assert perc.frames_without_labels == 1
    perc.feed_labels(STEP_NS, scene({1: (0, 0, 10, 10)}))
    perc.feed_labels(3 * STEP_NS, scene({1: (5, 0, 15, 10)}))  # arrives before its frame
    assert perc.step(frame(STEP_NS))[0].box == (0.0, 0.0, 10.0, 10.0)
    # No map for this stamp: the most recent earlier one is used (and counted).
    assert perc.step(frame(2 * STEP_NS))[0].box == (0.0, 0.0, 10.0, 10.0)
    assert perc.frames_with_stale_labels == 1
    assert perc.step(frame(3 * STEP_NS))[0].box == (5.0, 0.0, 15.0, 10.0)
    assert perc.pending == 0
    assert perc.frames_without_labels == 1


def test_pending_labels_are_bounded_dropping_the_oldest() -> None:
    perc = SimulatedPerception(PerceptionConfig(), {1: "dog"}, max_pending=64)
    for t in range(100):
        perc.feed_labels(t, scene({1: (t % 70, 0, t % 70 + 5, 5)}))
    assert perc.pending == 64
    assert perc.dropped_labels == 36
    # Stamps 0..35 were dropped and none is earlier than 10: no labels for this frame.
    assert perc.step(frame(10)) == ()
    assert perc.step(frame(40))[0].box == (40.0, 0.0, 45.0, 5.0)
    assert perc.pending == 59  # 36..40 consumed


def test_reset_forgets_everything_but_categories() -> None:
    perc = SimulatedPerception(PerceptionConfig(), {1: "dog"})
    perc.feed_labels(0, scene({1: (0, 0, 5, 5)}))
    perc.feed_labels(5, scene({1: (0, 0, 5, 5)}))
    perc.step(frame(0))
    perc.reset()
    assert perc.pending == 0 and perc.frames_without_labels == 0
    assert perc.step(frame(5)) == ()
    assert perc.categories == {1: "dog"}


def test_miss_rate_statistics() -> None:
    perc = SimulatedPerception(noisy(miss_rate=0.1, seed=3), {1: "dog"})
    labels = scene({1: (10, 10, 30, 30)})
    results = run(perc, [labels] * 500)
    visible = [r[0].visible for r in results if r]
    missed = 1.0 - np.mean(visible)
    assert 0.05 < missed < 0.15
    # A missed object is reported like an absent one: invisible, last box, no mask.
    miss = next(r[0] for r in results if r and not r[0].visible)
    assert miss.box == (10.0, 10.0, 30.0, 30.0) and miss.mask is None


def test_label_swap_statistics_and_whole_life_swap() -> None:
    categories = {i: name for i, name in enumerate(["dog", "cat", "cup", "car", "ball"], start=1)}
    swapped = 0
    for seed in range(100):
        perc = SimulatedPerception(noisy(label_swap_rate=0.3, seed=seed), categories)
        results = run(perc, [scene({1: (0, 0, 5, 5)})] * 5)
        labels = {r[0].label for r in results}
        assert len(labels) == 1  # the same label for the track's whole life
        label = labels.pop()
        assert label in categories.values()
        swapped += label != "dog"
    assert 15 <= swapped <= 45


def test_label_swap_with_a_single_category_uses_a_fixed_alternative() -> None:
    perc = SimulatedPerception(noisy(label_swap_rate=1.0), {1: "dog"})
    perc.feed_labels(0, scene({1: (0, 0, 5, 5)}))
    assert perc.step(frame(0))[0].label == "object"


def test_jitter_shifts_mask_and_box_without_wrapping() -> None:
    perc = SimulatedPerception(noisy(jitter_px=3.0, seed=1), {1: "dog"})
    labels = scene({1: (30, 20, 50, 40)})
    results = run(perc, [labels] * 300)
    offsets = []
    for (track,) in results:
        assert track.visible and track.mask.sum() == 400  # shifted, never cropped here
        assert mask_box(track.mask) == track.box
        offsets.append((track.box[0] - 30, track.box[1] - 20))
    offsets_arr = np.array(offsets)
    assert np.allclose(offsets_arr, np.round(offsets_arr))  # integer shifts
    assert 2.4 < offsets_arr.std(axis=0).min() and offsets_arr.std(axis=0).max() < 3.6
    assert abs(offsets_arr.mean()) < 0.5


def test_shift_mask_drops_pixels_leaving_the_frame() -> None:
    mask = np.zeros((4, 5), bool)
    mask[0, 0] = mask[3, 4] = True
    right_down = shift_mask(mask, 1, 1)
    assert right_down.sum() == 1 and right_down[1, 1]
    left_up = shift_mask(mask, -2, -1)
    assert left_up.sum() == 1 and left_up[2, 2]
    assert not shift_mask(mask, 5, 0).any()
    assert mask_box(np.zeros((3, 3), bool)) is None


def test_same_inputs_and_seed_give_same_outputs() -> None:
    config = noisy(miss_rate=0.2, label_swap_rate=0.5, jitter_px=2.0, seed=7)
    cats = {1: "dog", 2: "cat", 3: "cup"}
    maps = [scene({1: (t % 40, 5, t % 40 + 10, 15), 2: (50, 30, 60, 50), 3: (5, 40, 15, 55)}) for t in range(40)]

    def summary(results: list[tuple]) -> list:
        return [[(t.id, t.label, t.box, t.visible, None if t.mask is None else t.mask.tobytes()) for t in r]
                for r in results]

    first = summary(run(SimulatedPerception(config, cats), maps))
    assert first == summary(run(SimulatedPerception(config, cats), maps))
    perc = SimulatedPerception(config, cats)
    run(perc, maps[:10])
    perc.reset()
    assert summary(run(perc, maps)) == first  # reset reseeds
    other = summary(run(SimulatedPerception(noisy(miss_rate=0.2, label_swap_rate=0.5, jitter_px=2.0, seed=8), cats),
                        maps))
    assert other != first


def test_invalid_inputs_raise_input_error() -> None:
    perc = SimulatedPerception(PerceptionConfig(), {})
    with pytest.raises(InputError, match="HxW uint8 object-index map"):
        perc.feed_labels(0, np.zeros((H, W), np.int32))
    with pytest.raises(InputError, match="HxW uint8 object-index map"):
        perc.feed_labels(0, np.zeros((H, W, 3), np.uint8))
    perc.feed_labels(0, np.zeros((H + 1, W), np.uint8))
    with pytest.raises(InputError, match="feed label maps of the camera image's size"):
        perc.step(frame(0))
    with pytest.raises(InputError, match="not an object id"):
        perc.set_categories({"dog": "dog"})
    with pytest.raises(InputError, match="ids must be 1..255"):
        perc.set_categories({0: "background"})
    with pytest.raises(InputError, match="ids must be 1..255"):
        perc.set_categories({1: ""})
    with pytest.raises(InputError, match="forget_after_s"):
        SimulatedPerception(PerceptionConfig(), {}, forget_after_s=0)
    with pytest.raises(InputError, match="max_pending"):
        SimulatedPerception(PerceptionConfig(), {}, max_pending=0)
