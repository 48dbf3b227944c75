"""Synthetic scenes: deterministic datasets whose expressions are true on the rendered pixels."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import DatasetFolder
from rvos_ros.eval.synth import (
    EXPRESSION_CATEGORIES,
    CameraPath,
    SceneObject,
    SceneSpec,
    SynthExpression,
    expressions_for,
    make_scene,
    objects_payload,
    render_frames,
    synthesize,
)
from rvos_ros.eval.synth_scene import CATEGORIES, COLOURS, scripted_path
from rvos_ros.eval.synth_text import phrase

SEED = int(os.environ.get("SYNTH_TEST_SEED", "3"))
N_SCENES = 20
SMALL = {"width": 160, "height": 120, "num_frames": 12}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


class Rendered:
    """One scene rendered in memory: spec, expressions, label statistics, pixel colour and background motion."""

    def __init__(self, index: int) -> None:
        self.spec = make_scene(SEED, index)
        self.stats: dict[str, np.ndarray] = {}
        samples: dict[int, list[np.ndarray]] = {o.obj_id: [] for o in self.spec.objects}
        frames = list(render_frames(self.spec, stats=self.stats))
        for rgb, labels in frames[::6]:
            for oid, chunks in samples.items():
                chunks.append(rgb[labels == oid])
        self.median_rgb = {oid: np.median(np.concatenate(c), axis=0) for oid, c in samples.items()
                           if sum(len(x) for x in c)}
        (first, lab0), (last, lab1) = frames[0], frames[-1]
        ground = (lab0 == 0) & (lab1 == 0)
        self.background_change = float(np.abs(first.astype(int) - last.astype(int))[ground].mean())
        self.expressions = expressions_for(self.spec, np.random.default_rng([SEED, index, 1]), stats=self.stats)
        self.col = {o.obj_id: i for i, o in enumerate(self.spec.objects)}

    def world_centroids(self, obj_id: int) -> tuple[np.ndarray, np.ndarray]:
        """Frames where the object is fully visible (K,) and its camera-compensated mask centroids there (K, 2)."""
        i, cam = self.col[obj_id], self.spec.camera
        frames = np.flatnonzero(self.stats["visible"][:, i] >= 0.95 * self.stats["full"][:, i])
        pts = [cam.to_world(t, *self.stats["centroid"][t, i], self.spec.width, self.spec.height) for t in frames]
        return frames, np.array(pts).reshape(-1, 2)

    def same_category(self, obj_id: int) -> list[int]:
        cat = self.spec.object(obj_id).category
        return [o.obj_id for o in self.spec.objects if o.category == cat and o.obj_id != obj_id]

    def max_area(self, obj_id: int) -> float:
        return float(self.stats["visible"][:, self.col[obj_id]].max())


@pytest.fixture(scope="module")
def scenes() -> list[Rendered]:
    return [Rendered(i) for i in range(N_SCENES)]


def _exps(scenes: list[Rendered], category: str) -> list[tuple[Rendered, SynthExpression]]:
    found = [(s, e) for s in scenes for e in s.expressions if e.category == category]
    assert found, f"no {category!r} expression in {N_SCENES} scenes"
    return found


# -- dataset folder ------------------------------------------------------------------------------------------------
def test_same_seed_writes_byte_identical_files(tmp_path: Path) -> None:
    synthesize(tmp_path / "a", 2, 7, **SMALL)
    synthesize(tmp_path / "b", 2, 7, **SMALL)
    synthesize(tmp_path / "c", 2, 8, **SMALL)
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert len(a) == 2 * 2 * 12 + 2
    assert a == b
    assert a != c


def test_dataset_folder_layout_and_metadata(tmp_path: Path) -> None:
    summary = synthesize(tmp_path / "ds", 3, 1, width=200, height=150, num_frames=10, fps=12.5)
    root = tmp_path / "ds"
    assert sorted(p.name for p in (root / "JPEGImages").iterdir()) == ["s000", "s001", "s002"]
    for video in ("s000", "s001", "s002"):
        jpgs = sorted((root / "JPEGImages" / video).glob("*.jpg"))
        pngs = sorted((root / "Annotations" / video).glob("*.png"))
        assert [p.stem for p in jpgs] == [f"{t:05d}" for t in range(10)] == [p.stem for p in pngs]
        with Image.open(jpgs[0]) as img:
            assert img.size == (200, 150)
        with Image.open(pngs[0]) as img:
            assert img.mode == "P" and img.size == (200, 150)
    folder = DatasetFolder(root)
    assert all(v.fps == 12.5 and v.objects for v in folder.videos.values())
    assert set(folder.videos["s000"].objects.values()) <= set(CATEGORIES)
    assert all(e.category in EXPRESSION_CATEGORIES for e in folder.expressions)
    assert summary.videos == 3 and summary.frames == 30
    assert summary.expressions == len(folder.expressions) == sum(summary.per_category.values())
    meta = json.loads((root / "meta_expressions.json").read_text())
    assert all("category" in e for v in meta["videos"].values() for e in v["expressions"].values())


def test_synthesize_refuses_bad_outputs_and_counts(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="at least 1 scene"):
        synthesize(tmp_path / "x", 0, 1)
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="is a file"):
        synthesize(tmp_path / "file", 1, 1)
    synthesize(tmp_path / "ds", 1, 1, **SMALL)
    with pytest.raises(InputError, match="not empty"):
        synthesize(tmp_path / "ds", 1, 2, **SMALL)
    synthesize(tmp_path / "ds", 1, 1, overwrite=True, **SMALL)
    assert len(_files(tmp_path / "ds")) == 2 * 12 + 2


def test_make_scene_rejects_unusable_sizes() -> None:
    with pytest.raises(InputError, match="too small"):
        make_scene(1, 0, width=32, height=360)
    with pytest.raises(InputError, match="at least 8"):
        make_scene(1, 0, num_frames=4)
    with pytest.raises(InputError, match="must be positive"):
        make_scene(1, 0, fps=0.0)
    with pytest.raises(InputError, match="unknown scripted motion"):
        scripted_path("zigzag", (1.0, 0.0), 10, 5)
    with pytest.raises(InputError, match="has no object 99"):
        make_scene(1, 0).object(99)


# -- scenes --------------------------------------------------------------------------------------------------------
def test_make_scene_is_deterministic_and_named_by_index() -> None:
    assert make_scene(5, 4) == make_scene(5, 4)
    assert make_scene(5, 4) != make_scene(5, 5)
    assert make_scene(np.random.default_rng(0), 12).name == "s012"


def test_scripted_motions_follow_their_script() -> None:
    stops = scripted_path("stops", (2.0, 0.0), 10, 4)
    assert stops[4, 0] == 8.0 and stops[-1, 0] == 8.0
    late = scripted_path("starts_late", (0.0, 1.0), 10, 4)
    assert late[4, 1] == 0.0 and late[-1, 1] == 5.0
    back = scripted_path("turns_back", (1.0, 0.0), 11, 5)
    assert back[5, 0] == 5.0 and back[-1, 0] == 0.0


def test_every_category_has_a_silhouette_in_its_colour() -> None:
    n = len(CATEGORIES)
    objs = tuple(SceneObject(i + 1, cat, "red", 60.0, i, "static", ((60.0 + 70 * (i % 7), 60.0 + 120 * (i // 7)),) * 2)
                 for i, cat in enumerate(CATEGORIES))
    spec = SceneSpec("t", 520, 300, 2, 10.0, (520, 300), 0, CameraPath(((260.0, 150.0),) * 2, (1.0, 1.0)), objs)
    rgb, labels = next(render_frames(spec))
    for o in objs:
        px = rgb[labels == o.obj_id]
        assert len(px) > 150, o.category
        assert np.argmin([np.abs(np.median(px, 0) - c).sum() for c in COLOURS.values()]) == 0, o.category
    assert len(np.unique(labels)) == n + 1
    assert objects_payload(spec)["objects"]["1"]["category"] == "person"


def test_camera_pans_or_zooms_in_some_scenes_and_background_moves_with_it(scenes: list[Rendered]) -> None:
    moving = [s for s in scenes if s.spec.camera.moves]
    still = [s for s in scenes if not s.spec.camera.moves]
    assert len(moving) >= 4 and len(still) >= 4
    assert all(s.background_change < 0.5 for s in still)
    assert all(s.background_change > 5.0 for s in moving)


def test_objects_leave_or_enter_the_view_in_some_scenes(scenes: list[Rendered]) -> None:
    partly = sum(bool(((s.stats["onscreen"] < 0.5 * s.stats["full"]) & (s.stats["full"] > 0)).any()) for s in scenes)
    assert partly >= 3


def test_nearer_objects_cover_farther_ones(scenes: list[Rendered]) -> None:
    overlaps = 0
    for s in scenes:
        t, i, j = np.nonzero(s.stats["cover"])
        for a, b in set(zip(i.tolist(), j.tolist(), strict=True)):
            assert s.spec.objects[b].depth < s.spec.objects[a].depth
            overlaps += 1
    assert overlaps > 0


# -- expressions ---------------------------------------------------------------------------------------------------
def test_every_expression_category_appears_over_twenty_scenes(scenes: list[Rendered]) -> None:
    seen = {e.category for s in scenes for e in s.expressions}
    assert seen == set(EXPRESSION_CATEGORIES)


def test_each_scene_has_several_expressions_of_different_kinds(scenes: list[Rendered]) -> None:
    for s in scenes:
        kinds = [e.category for e in s.expressions]
        assert 3 <= len(kinds) <= 8 and len(set(kinds)) >= 3, (s.spec.name, kinds)
        assert len({e.text for e in s.expressions}) == len(kinds)


def test_phrasing_varies(scenes: list[Rendered]) -> None:
    texts = [e.text for s in scenes for e in s.expressions]
    assert len(set(texts)) >= 0.9 * len(texts)
    prefixed = [t for t in texts if re.match(r"(please |segment|track|find|follow|show me|highlight|look at|point)", t)]
    assert 0.1 * len(texts) < len(prefixed) < 0.6 * len(texts)


def test_expression_objects_appear_in_the_annotations(scenes: list[Rendered]) -> None:
    for s in scenes:
        for e in s.expressions:
            for oid in e.obj_ids:
                assert s.stats["visible"][:, s.col[oid]].max() > 0, (s.spec.name, e)
            if e.category == "multi":
                assert len(e.obj_ids) >= 2
            else:
                assert len(e.obj_ids) == 1


def test_category_expressions_name_the_only_object_of_that_category_in_view(scenes: list[Rendered]) -> None:
    for s, e in _exps(scenes, "category"):
        others = s.same_category(e.obj_ids[0])
        assert all(s.stats["visible"][:, s.col[o]].max() == 0 for o in others), e


_DIRECTION = {"left": np.array([-1.0, 0.0]), "right": np.array([1.0, 0.0]), "up": np.array([0.0, -1.0]),
              "top": np.array([0.0, -1.0]), "down": np.array([0.0, 1.0]), "bottom": np.array([0.0, 1.0])}


def test_direction_targets_move_that_way_relative_to_the_background(scenes: list[Rendered]) -> None:
    for s, e in _exps(scenes, "direction"):
        word = re.search(r"\b(left|right|up|top|down|bottom)", e.text)
        assert word, e.text
        u = _DIRECTION[word.group(1)]
        frames, pts = s.world_centroids(e.obj_ids[0])
        assert len(frames) >= 2 and frames[-1] - frames[0] >= 4, e
        along = (pts[-1] - pts[0]) @ u
        assert along > 8 and along > 1.5 * abs((pts[-1] - pts[0]) @ u[::-1]), (s.spec.name, e, along)
        for other in s.same_category(e.obj_ids[0]):
            _, opts = s.world_centroids(other)
            if len(opts) >= 2:
                assert (opts[-1] - opts[0]) @ u < 10, (s.spec.name, e, other)


def test_colour_targets_are_painted_in_that_colour(scenes: list[Rendered]) -> None:
    names = list(COLOURS)
    for s, e in _exps(scenes, "colour"):
        word = next(c for c in [*names, "grey"] if re.search(rf"\b{c}\b", e.text))
        word = "gray" if word == "grey" else word
        oid = e.obj_ids[0]
        nearest = names[int(np.argmin([np.abs(s.median_rgb[oid] - np.array(c)).sum() for c in COLOURS.values()]))]
        assert nearest == word == s.spec.object(oid).colour, (s.spec.name, e)
        for other in s.same_category(oid):
            assert s.spec.object(other).colour != word


def test_size_targets_have_the_largest_or_smallest_masks(scenes: list[Rendered]) -> None:
    for s, e in _exps(scenes, "size"):
        oid = e.obj_ids[0]
        big = re.search(r"\b(big|bigger|biggest|large|larger|largest)\b", e.text) is not None
        for other in s.same_category(oid):
            if big:
                assert s.max_area(oid) > 1.3 * s.max_area(other), (s.spec.name, e)
            else:
                assert s.max_area(other) > 1.3 * s.max_area(oid), (s.spec.name, e)


def test_static_and_moving_targets_from_pixels(scenes: list[Rendered]) -> None:
    for s, e in _exps(scenes, "static_vs_moving"):
        _, pts = s.world_centroids(e.obj_ids[0])
        span = float(np.ptp(pts, axis=0).max()) if len(pts) else 0.0
        if re.search(r"not moving|static|still|stationary|motionless|in place|doesn't move|parked|staying", e.text):
            assert span < 4.0, (s.spec.name, e, span)
        else:
            assert span > 15.0, (s.spec.name, e, span)


def test_occlusion_targets_are_hidden_by_a_nearer_object_then_reappear(scenes: list[Rendered]) -> None:
    for s, e in _exps(scenes, "occlusion"):
        i = s.col[e.obj_ids[0]]
        vis, full, onscreen = s.stats["visible"][:, i], s.stats["full"][:, i], s.stats["onscreen"][:, i]
        hidden = np.flatnonzero((vis < 0.3 * full) & (onscreen > 0.8 * full))  # behind something, not off-screen
        assert len(hidden) >= 3, e
        assert (vis[: hidden[0]] > 0.7 * full[: hidden[0]]).any() and (vis[hidden[-1]:] > 0.7 * full[hidden[-1]:]).any()
        coverer = int(np.argmax(s.stats["cover"][hidden, i].sum(axis=0)))
        assert s.spec.objects[coverer].depth < s.spec.objects[i].depth
        assert s.same_category(s.spec.objects[coverer].obj_id) == []  # "behind the truck" needs a single truck


def _speed(spec: SceneSpec, oid: int) -> float:
    """Mean world speed while moving, px/frame."""
    step = np.linalg.norm(np.diff(np.asarray(spec.object(oid).path), axis=0), axis=1)
    return float(step.sum() / max(1, np.count_nonzero(step > 0.3)))


def test_speed_targets_are_clearly_fastest_or_slowest(scenes: list[Rendered]) -> None:
    for s, e in _exps(scenes, "speed"):
        oid = e.obj_ids[0]
        fast = re.search(r"fast|quick", e.text) is not None
        for other in s.same_category(oid):
            a, b = _speed(s.spec, oid), _speed(s.spec, other)
            ratio = a / b if fast else b / a
            assert ratio >= 1.6, (s.spec.name, e)


# -- phrasing ------------------------------------------------------------------------------------------------------
def test_phrases_fit_the_category_and_use_super_categories_only_when_unambiguous() -> None:
    rng = np.random.default_rng(0)
    alone = [phrase("direction", "car", rng, ("car", "dog"), direction="left") for _ in range(200)]
    assert all(re.search(r"\bleft", t) for t in alone)
    assert not any(re.search(r"\b(running|walking|runs|walks|flying)\b", t) for t in alone)
    assert any("vehicle" in t for t in alone) and any(re.search(r"\b(car|automobile|sedan)\b", t) for t in alone)
    with_truck = [phrase("category", "car", rng, ("car", "truck")) for _ in range(200)]
    assert not any("vehicle" in t for t in with_truck)
    two = [phrase("multi_two", "dog", rng, ("dog",), count=2) for _ in range(50)]
    assert all(re.search(r"\b(dogs|puppies|pups|animals)\b", t) for t in two)
