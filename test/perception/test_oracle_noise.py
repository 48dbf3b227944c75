"""The oracle's detector-like noise: named-only reporting, confusions, id switches (perception.noise)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rvos_ros.config import Config, NoiseConfig, PerceptionConfig, from_dict
from rvos_ros.errors import ConfigError
from rvos_ros.perception.simulated import (
    CONFUSABLE,
    FIRST_SWITCHED_ID,
    SimulatedPerception,
    confusable_with,
    same_category,
)
from rvos_ros.reasoning.lexicon import category_matches
from rvos_ros.types import Frame, ParsedQuery

H, W = 60, 80
STEP_NS = 100_000_000  # 10 fps


def frame(t: int, h: int = H, w: int = W) -> Frame:
    return Frame(image=np.zeros((h, w, 3), np.uint8), stamp_ns=t * STEP_NS)


def scene(objects: dict[int, tuple[int, int, int, int]], h: int = H, w: int = W) -> np.ndarray:
    labels = np.zeros((h, w), np.uint8)
    for oid, (x1, y1, x2, y2) in objects.items():
        labels[y1:y2, x1:x2] = oid
    return labels


def oracle(categories=None, **noise) -> SimulatedPerception:
    return SimulatedPerception(PerceptionConfig(noise=NoiseConfig(**noise)), categories or {})


def run(perc: SimulatedPerception, label_maps: list[np.ndarray], h: int = H, w: int = W) -> list[tuple]:
    out = []
    for t, labels in enumerate(label_maps):
        perc.feed_labels(t * STEP_NS, labels)
        out.append(perc.step(frame(t, h, w)))
    return out


def summary(frames: list[tuple]) -> list[list[tuple]]:
    """Everything a track says but its mask (compared separately where it matters)."""
    return [[(t.id, t.label, t.box, t.visible) for t in tracks] for tracks in frames]


def grid(n: int) -> tuple[np.ndarray, int, int]:
    """One label map with ``n`` 2x2 objects (ids 1..n) on a grid."""
    side = 4 * int(np.ceil(np.sqrt(n)))
    labels = np.zeros((side, side), np.uint8)
    for i in range(n):
        r, c = divmod(i, side // 4)
        labels[4 * r: 4 * r + 2, 4 * c: 4 * c + 2] = i + 1
    return labels, side, side


PETS = {1: "dog", 2: "cat", 3: "car"}
PETS_MAP = scene({1: (0, 0, 10, 10), 2: (20, 0, 30, 10), 3: (40, 0, 60, 10)})


# -- report: named -------------------------------------------------------------------------------------------


def test_named_reporting_hides_what_the_command_does_not_name():
    perc = oracle(PETS, report="named")
    assert perc.query_independent is False
    perc.set_query(ParsedQuery("the dog", categories=("dog",)))
    perc.feed_labels(0, PETS_MAP)
    assert [(t.id, t.label) for t in perc.step(frame(0))] == [(1, "dog")]  # the cat and the car are not seen


def test_named_reporting_sees_the_context_entities_too():
    perc = oracle(PETS, report="named")
    perc.set_query(ParsedQuery("the dog next to the car", categories=("dog",), context=("car",)))
    perc.feed_labels(0, PETS_MAP)
    assert [(t.id, t.label) for t in perc.step(frame(0))] == [(1, "dog"), (3, "car")]


def test_named_reporting_without_a_command_reports_nothing():
    perc = oracle(PETS, report="named")
    perc.feed_labels(0, PETS_MAP)
    assert perc.step(frame(0)) == ()
    perc.set_query(ParsedQuery("the cat", categories=("cat",)))
    perc.set_query(None)
    perc.feed_labels(1, PETS_MAP)
    assert perc.step(frame(1)) == ()


def test_labels_are_the_phrase_that_matched():
    # a command naming no category looks for "object": everything comes back labelled "object"
    perc = oracle(PETS, report="named")
    perc.set_query(ParsedQuery("the one moving left"))
    perc.feed_labels(0, PETS_MAP)
    assert [(t.id, t.label) for t in perc.step(frame(0))] == [(1, "object"), (2, "object"), (3, "object")]
    # a super-category, read as the reasoning reads labels: "animal" finds the dog and the cat, labelled "animal"
    perc = SimulatedPerception(PerceptionConfig(noise=NoiseConfig(report="named")), PETS,
                               category_match=category_matches)
    perc.set_query(ParsedQuery("the animal", categories=("animal",)))
    perc.feed_labels(0, PETS_MAP)
    tracks = perc.step(frame(0))
    assert [(t.id, t.label) for t in tracks] == [(1, "animal"), (2, "animal")]
    assert all(category_matches("animal", t.label) for t in tracks)  # the reasoning still takes them
    # the phrase equal to the category wins over a broader one that also matches
    perc.set_query(ParsedQuery("the animal near the dog", categories=("animal",), context=("dog",)))
    perc.feed_labels(1, PETS_MAP)
    assert [(t.id, t.label) for t in perc.step(frame(1))] == [(1, "dog"), (2, "animal")]


def test_default_matching_is_exact_and_object_matches_anything():
    assert same_category("Dog", "dog") and same_category("object", "car") and not same_category("animal", "dog")
    perc = oracle(PETS, report="named")  # no category_match given: "animal" names nothing
    perc.set_query(ParsedQuery("the animal", categories=("animal",)))
    perc.feed_labels(0, PETS_MAP)
    assert perc.step(frame(0)) == ()


def test_an_unnamed_object_is_not_reported_while_occluded_either():
    perc = oracle(PETS, report="named")
    perc.set_query(ParsedQuery("the dog", categories=("dog",)))
    out = run(perc, [PETS_MAP, scene({3: (40, 0, 60, 10)})])
    assert [(t.id, t.label, t.visible) for t in out[1]] == [(1, "dog", False)]


def test_a_new_command_changes_what_is_reported_at_once():
    perc = oracle(PETS, report="named")
    perc.set_query(ParsedQuery("the dog", categories=("dog",)))
    perc.feed_labels(0, PETS_MAP)
    assert [t.id for t in perc.step(frame(0))] == [1]
    perc.set_query(ParsedQuery("the car", categories=("car",)))
    perc.feed_labels(1, PETS_MAP)
    assert [(t.id, t.label) for t in perc.step(frame(1))] == [(3, "car")]


def test_report_all_ignores_the_command():
    perc = oracle(PETS)
    assert perc.query_independent is True
    perc.set_query(ParsedQuery("the dog", categories=("dog",)))
    perc.feed_labels(0, PETS_MAP)
    assert [(t.id, t.label) for t in perc.step(frame(0))] == [(1, "dog"), (2, "cat"), (3, "car")]


def test_report_takes_only_all_or_named():
    with pytest.raises(ConfigError, match=r"'perception.noise.report': must be one of \['all', 'named'\]"):
        from_dict({"perception": {"noise": {"report": "some"}}})
    with pytest.raises(ConfigError, match=r"'perception.noise.report'"):
        NoiseConfig(report="some")  # type: ignore[arg-type]
    for key, bad in (("confusion_rate", 1.5), ("id_switch_rate", -0.1), ("id_switch_min_gap", 0)):
        with pytest.raises(ConfigError, match=rf"'perception.noise.{key}': must be in"):
            from_dict({"perception": {"noise": {key: bad}}})


# -- confusion_rate ------------------------------------------------------------------------------------------


def test_confusable_categories():
    assert confusable_with("dog") == ("cat",) and confusable_with("cat") == ("dog",)
    assert confusable_with("car") == ("bus", "truck")
    assert all(len(group) >= 2 for group in CONFUSABLE)
    # outside the table: another category of the scene, else nothing
    assert confusable_with("person", {1: "person", 2: "ball", 3: "dog"}) == ("ball", "dog")
    assert confusable_with("person", {1: "person"}) == ()


@pytest.mark.parametrize("rate", [0.1, 0.3])
def test_confusions_give_a_similar_category_at_about_the_rate(rate):
    labels, h, w = grid(250)
    categories = {i: ("dog" if i % 2 else "car") for i in range(1, 251)}
    confused, total = 0, 0
    for seed in range(4):
        perc = oracle(categories, confusion_rate=rate, seed=seed)
        perc.feed_labels(0, labels)
        for t in perc.step(frame(0, h, w)):
            true = categories[t.id]
            total += 1
            if t.label != true:
                confused += 1
                assert t.label in confusable_with(true)  # a similar category, never a random one
    assert total == 1000
    assert abs(confused / total - rate) < 4 * np.sqrt(rate * (1 - rate) / total)


def test_a_confusion_lasts_the_track_s_life():
    labels, h, w = grid(40)
    perc = oracle({i: "dog" for i in range(1, 41)}, confusion_rate=0.5, seed=3)
    out = run(perc, [labels] * 5, h, w)
    first = {t.id: t.label for t in out[0]}
    assert "cat" in first.values() and "dog" in first.values()
    assert all({t.id: t.label for t in tracks} == first for tracks in out)


def test_confusion_with_nothing_to_confuse_keeps_the_category():
    perc = oracle({1: "person"}, confusion_rate=1.0)
    perc.feed_labels(0, scene({1: (0, 0, 5, 5)}))
    assert perc.step(frame(0))[0].label == "person"


def test_a_swapped_track_keeps_its_swap():
    # label_swap_rate takes another object's category (here the car); a confusion would give a similar one
    perc = oracle({1: "dog", 2: "car"}, label_swap_rate=1.0, confusion_rate=1.0)
    perc.feed_labels(0, scene({1: (0, 0, 5, 5), 2: (10, 10, 20, 20)}))
    assert [t.label for t in perc.step(frame(0))] == ["car", "dog"]


def test_a_confused_cat_is_reported_as_a_dog_to_a_dog_command():
    perc = oracle({2: "cat"}, report="named", confusion_rate=1.0)
    perc.set_query(ParsedQuery("the dog", categories=("dog",)))
    perc.feed_labels(0, scene({2: (0, 0, 5, 5)}))
    assert [(t.id, t.label) for t in perc.step(frame(0))] == [(2, "dog")]


# -- id switches ---------------------------------------------------------------------------------------------

DOG = scene({1: (0, 0, 10, 10)})
EMPTY = scene({})
BALL = scene({2: (40, 40, 45, 45)})


def ids_per_frame(out: list[tuple]) -> list[list[tuple[int, bool]]]:
    return [[(t.id, t.visible) for t in tracks] for tracks in out]


def test_an_object_back_after_a_long_enough_gap_comes_back_under_a_new_id():
    perc = oracle({1: "dog"}, id_switch_rate=1.0, id_switch_min_gap=3)
    assert perc.ids_are_object_ids is False
    # gap of 2 frames (< 3): same id; then a gap of 3: a new id; then another gap of 3: another new id
    maps = [DOG, DOG, EMPTY, EMPTY, DOG, EMPTY, EMPTY, EMPTY, DOG, DOG, EMPTY, EMPTY, EMPTY, DOG]
    out = ids_per_frame(run(perc, maps))
    assert out[:5] == [[(1, True)], [(1, True)], [(1, False)], [(1, False)], [(1, True)]]
    assert out[5:8] == [[(1, False)]] * 3  # occluded under its old id
    first, second = FIRST_SWITCHED_ID, FIRST_SWITCHED_ID + 1
    assert out[8:] == [[(first, True)], [(first, True)], [(first, False)], [(first, False)], [(first, False)],
                       [(second, True)]]


def test_only_a_gap_in_the_labels_switches_ids_not_a_missed_detection():
    # a miss (the object in the labels, not reported) is not an occlusion of the tracker's
    perc = oracle({1: "dog"}, id_switch_rate=1.0, id_switch_min_gap=1, miss_rate=0.9, seed=1)
    out = run(perc, [DOG] * 30)
    assert {t.id for tracks in out for t in tracks} == {1}


def test_a_forgotten_object_that_returns_may_switch_too():
    perc = SimulatedPerception(PerceptionConfig(noise=NoiseConfig(id_switch_rate=1.0)), {1: "dog"},
                               forget_after_s=0.15)
    out = ids_per_frame(run(perc, [DOG] + [EMPTY] * 5 + [DOG]))
    assert out[3] == [] and out[-1] == [(FIRST_SWITCHED_ID, True)]


def test_the_id_switch_rate_is_a_probability_per_return():
    maps = ([DOG] + [EMPTY] * 3) * 100 + [DOG]
    switches = []
    for seed in range(3):
        perc = oracle({1: "dog"}, id_switch_rate=0.3, id_switch_min_gap=3, seed=seed)
        ids = [tracks[0].id for tracks in run(perc, maps) if tracks and tracks[0].visible]
        switches.append(sum(a != b for a, b in zip(ids, ids[1:], strict=False)))
        assert len(set(ids)) == switches[-1] + 1  # every switch is a brand-new id
    rate = sum(switches) / 300
    assert abs(rate - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 300)


def test_no_switch_at_the_default_rate_and_ids_are_object_ids():
    perc = oracle({1: "dog"})
    assert perc.ids_are_object_ids is True
    out = run(perc, ([DOG] + [EMPTY] * 5) * 5)
    assert {t.id for tracks in out for t in tracks} == {1}


def test_a_run_with_id_switches_does_not_claim_its_ids_are_object_ids(small_dataset, tmp_path):
    from rvos_ros.eval.dataset import DatasetFolder
    from rvos_ros.eval.runner import run_dataset

    base = {"perception.backend": "simulated"}
    for rate, expected in ((0.0, "object_ids"), (0.5, "stream")):
        cfg = Config().replace(**base, **{"perception.noise.id_switch_rate": rate})
        out = tmp_path / f"pred_{rate}"
        run_dataset(DatasetFolder(small_dataset), out, cfg)
        assert json.loads((out / "decisions.json").read_text())["provenance"]["track_ids"] == expected


def test_the_runner_runs_a_named_oracle_once_per_expression(small_dataset, tmp_path):
    from rvos_ros.eval.dataset import DatasetFolder
    from rvos_ros.eval.runner import run_dataset
    from rvos_ros.runtime import load_perception

    cfg = Config().replace(**{"perception.backend": "simulated", "perception.noise.report": "named"})
    perc = load_perception(cfg)  # what the runner, the node, serve and replay build
    assert perc.category_match is category_matches  # phrases are read as the reasoning reads labels
    ds = DatasetFolder(small_dataset)
    runs = run_dataset(ds, tmp_path, cfg, perception=perc, mode="offline")
    assert len(runs) == len(ds.expressions) and any(r.decision.targets for r in runs)


# -- defaults and seeds --------------------------------------------------------------------------------------


def moving_scene(n: int = 12) -> list[np.ndarray]:
    """Three objects moving, one of them hidden for a while (frames 4..8)."""
    maps = []
    for t in range(n):
        objs = {1: (2 + t, 2, 12 + t, 12), 2: (40, 30 + t, 50, 40 + t), 3: (60 - t, 5, 70 - t, 15)}
        if 4 <= t <= 8:
            del objs[2]
        maps.append(scene(objs))
    return maps


CATS = {1: "dog", 2: "cat", 3: "car"}
OLD_NOISE = {"miss_rate": 0.3, "label_swap_rate": 0.5, "jitter_px": 2.0}


def full_output(frames: list[tuple]) -> list[list[tuple]]:
    return [[(t.id, t.label, t.box, t.visible, None if t.mask is None else t.mask.tobytes()) for t in tracks]
            for tracks in frames]


def test_defaults_are_the_exact_oracle():
    noise = NoiseConfig()
    assert (noise.report, noise.confusion_rate, noise.id_switch_rate) == ("all", 0.0, 0.0)
    perc = oracle(CATS)
    perc.set_query(ParsedQuery("the dog", categories=("dog",)))
    out = run(perc, moving_scene())
    for t, tracks in enumerate(out):
        assert all(tr.label == CATS[tr.id] for tr in tracks)
        assert {tr.id for tr in tracks if tr.visible} == {int(v) for v in np.unique(moving_scene()[t]) if v}


@pytest.mark.parametrize("noise", [
    {"report": "named"}, {"confusion_rate": 0.5}, {"id_switch_rate": 0.5, "id_switch_min_gap": 2},
    {"report": "named", "confusion_rate": 0.5, "id_switch_rate": 0.5, **OLD_NOISE}])
def test_the_same_seed_gives_the_same_tracks(noise):
    def once(seed):
        perc = oracle(CATS, seed=seed, **noise)
        perc.set_query(ParsedQuery("the animal", categories=("dog", "cat")))
        return full_output(run(perc, moving_scene() * 3))

    assert once(4) == once(4)
    perc = oracle(CATS, seed=4, **noise)  # reset() reseeds: a second stream repeats the first
    perc.set_query(ParsedQuery("the animal", categories=("dog", "cat")))
    first = full_output(run(perc, moving_scene() * 3))
    perc.reset()
    assert full_output(run(perc, moving_scene() * 3)) == first


def test_the_new_kinds_leave_the_old_kinds_draws_as_they_were():
    base = full_output(run(oracle(CATS, seed=9, **OLD_NOISE), moving_scene() * 4))
    # confusions are drawn from their own generator: with nothing to confuse (rate 0) or the labels aside,
    # the misses, swaps and jitter are the same
    confused = full_output(run(oracle(CATS, seed=9, confusion_rate=0.7, **OLD_NOISE), moving_scene() * 4))
    assert [[tr[:1] + tr[2:] for tr in f] for f in confused] == [[tr[:1] + tr[2:] for tr in f] for f in base]
    # id switches change ids only: boxes, masks, visibility and labels are the same
    switched = full_output(run(oracle(CATS, seed=9, id_switch_rate=1.0, id_switch_min_gap=2, **OLD_NOISE),
                               moving_scene() * 4))
    assert sorted(t[1:] for f in switched for t in f) == sorted(t[1:] for f in base for t in f)
    assert {t[0] for f in switched for t in f} != {t[0] for f in base for t in f}
    # named reporting drops tracks and relabels them; what it keeps is what the oracle drew
    perc = oracle(CATS, seed=9, report="named", **OLD_NOISE)
    perc.set_query(ParsedQuery("the car", categories=("car",), context=("dog", "cat")))
    named = full_output(run(perc, moving_scene() * 4))
    assert named == base


def test_the_first_three_generators_are_those_of_before():
    # SeedSequence children depend only on their index: spawning six keeps the first three's streams
    for seed in (0, 1, 12345):
        three = np.random.SeedSequence(seed).spawn(3)
        six = np.random.SeedSequence(seed).spawn(6)
        for a, b in zip(three, six[:3], strict=True):
            assert np.array_equal(np.random.default_rng(a).random(8), np.random.default_rng(b).random(8))
