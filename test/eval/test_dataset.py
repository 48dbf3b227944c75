"""Dataset and prediction folders (docs/contracts.md, "Dataset folder"): round trips and every InputError."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import (
    DatasetFolder,
    DatasetWriter,
    Expression,
    PredictionFolder,
    PredictionWriter,
    davis_palette,
    read_binary_png,
    read_index_png,
    union_mask,
    write_binary_png,
    write_index_png,
    write_submission_zip,
)


def write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj), encoding="utf-8")


def minimal_dataset(root: Path, videos: object) -> Path:
    write_json(root / "meta_expressions.json", {"videos": videos})
    (root / "JPEGImages").mkdir(exist_ok=True)
    return root


# ---------------------------------------------------------------- PNGs

def test_davis_palette_is_the_pascal_voc_palette():
    pal = davis_palette()
    assert len(pal) == 768
    assert pal[0:3] == [0, 0, 0]
    assert pal[3:6] == [128, 0, 0]
    assert pal[6:9] == [0, 128, 0]
    assert pal[9:12] == [128, 128, 0]
    assert pal[12:15] == [0, 0, 128]


def test_index_png_round_trips_as_a_palette_png(tmp_path):
    labels = np.arange(7 * 9, dtype=np.uint8).reshape(7, 9) % 6
    labels[0, 0] = 255
    path = tmp_path / "a" / "b.png"  # parent folders are created
    write_index_png(path, labels)
    with Image.open(path) as img:
        assert img.mode == "P"
        assert img.getpalette()[:6] == [0, 0, 0, 128, 0, 0]
    out = read_index_png(path)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, labels)


def test_index_png_reads_greyscale_and_16_bit_pngs(tmp_path):
    labels = np.array([[0, 1], [2, 3]], np.uint8)
    Image.fromarray(labels, mode="L").save(tmp_path / "l.png")
    np.testing.assert_array_equal(read_index_png(tmp_path / "l.png"), labels)
    Image.fromarray(labels.astype(np.uint16)).save(tmp_path / "i16.png")
    np.testing.assert_array_equal(read_index_png(tmp_path / "i16.png"), labels)


def test_binary_png_round_trips_as_0_and_255(tmp_path):
    mask = np.zeros((6, 8), bool)
    mask[1:4, 2:7] = True
    path = tmp_path / "sub" / "m.png"
    write_binary_png(path, mask)
    raw = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert set(np.unique(raw)) == {0, 255}
    np.testing.assert_array_equal(read_binary_png(path), mask)


def test_binary_png_counts_any_non_zero_pixel_as_foreground(tmp_path):
    Image.fromarray(np.array([[0, 1], [7, 0]], np.uint8), mode="L").save(tmp_path / "m.png")
    np.testing.assert_array_equal(read_binary_png(tmp_path / "m.png"), [[False, True], [True, False]])


def test_union_mask_joins_the_listed_objects():
    labels = np.array([[0, 1, 2], [3, 1, 0]], np.uint8)
    np.testing.assert_array_equal(union_mask(labels, [1, 3]), [[False, True, False], [True, True, False]])
    assert not union_mask(labels, []).any()


# ---------------------------------------------------------------- dataset writer -> folder

def test_dataset_writer_round_trips_through_dataset_folder(tmp_path):
    w = DatasetWriter(tmp_path / "ds")
    w.add_video("walk", {2: "dog", 1: "person"}, fps=12.5)
    w.add_video("still", {1: "cup"})
    image = np.zeros((10, 12, 3), np.uint8)
    image[..., 0] = 200  # flat red: survives JPEG within a few levels
    labels = np.zeros((10, 12), np.uint8)
    labels[2:5, 3:8] = 1
    labels[6:9, 1:4] = 2
    for f in ("00000", "00001"):
        w.write_frame("walk", f, image, labels)
    w.write_frame("still", "00000", image, np.zeros((10, 12), np.uint8))
    w.add_expression("walk", "10", "the dog", [2], category="motion")
    w.add_expression("walk", "2", "everyone", [2, 1, 2])
    w.add_expression("still", "0", "the cup", [1])
    w.close()

    ds = DatasetFolder(tmp_path / "ds")
    assert set(ds.videos) == {"walk", "still"}
    walk = ds.videos["walk"]
    assert walk.frames == ("00000", "00001")
    assert dict(walk.objects) == {1: "person", 2: "dog"}
    assert walk.fps == 12.5
    assert ds.videos["still"].fps is None
    # Videos in name order; expression ids in numeric-like order (shorter first), not string order.
    assert ds.expressions == [
        Expression("still", "0", "the cup", (1,)),
        Expression("walk", "2", "everyone", (1, 2)),
        Expression("walk", "10", "the dog", (2,), category="motion"),
    ]
    assert ds.expressions[2].key == "walk/10"
    np.testing.assert_array_equal(ds.labels("walk", "00001"), labels)
    assert ds.has_annotation("walk", "00001") and not ds.has_annotation("walk", "00002")
    np.testing.assert_array_equal(ds.labels("walk", "00002", (10, 12)), np.zeros((10, 12), np.uint8))
    rgb = ds.image("walk", "00000")
    assert rgb.shape == (10, 12, 3) and rgb.dtype == np.uint8
    assert np.abs(rgb.astype(int) - image.astype(int)).max() <= 4
    assert ds.image_path("walk", "00000") == tmp_path / "ds" / "JPEGImages" / "walk" / "00000.jpg"


def test_dataset_folder_reads_others_datasets_without_frames_list_or_meta_json(tmp_path):
    root = minimal_dataset(tmp_path, {"v": {"expressions": {"0": {"exp": "a cat", "obj_id": 3}}}})
    for f in ("00005", "00000"):
        (root / "JPEGImages" / "v").mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / "JPEGImages" / "v" / f"{f}.jpg"), np.zeros((4, 4, 3), np.uint8))
    write_index_png(root / "Annotations" / "v" / "00000.png", np.zeros((4, 4), np.uint8))
    ds = DatasetFolder(root)
    assert ds.layout == "davis" and ds.has_truth
    assert ds.videos["v"].frames == ("00000", "00005")  # sorted image names
    assert dict(ds.videos["v"].objects) == {}
    assert ds.expressions == [Expression("v", "0", "a cat", (3,))]  # a single obj_id becomes a tuple


# ---------------------------------------------------------------- prediction writer -> folder

def test_prediction_writer_round_trips_through_prediction_folder(tmp_path):
    w = PredictionWriter(tmp_path / "pred")
    mask = np.zeros((5, 7), bool)
    mask[1:3, 2:6] = True
    w.write_mask("v", "0", "00000", mask)
    w.write_mask("v", "0", "00000", ~mask, online=True)
    rec = {"version": 1, "targets": [3], "state": "locked", "frame": 4, "timeline": []}
    w.set_decision("v", "0", rec)
    w.provenance = {"backend": "models", "mode": "offline"}
    w.close()

    doc = json.loads((tmp_path / "pred" / "decisions.json").read_text())
    assert doc == {"version": 2, "provenance": {"backend": "models", "mode": "offline"}, "decisions": {"v/0": rec}}
    pred = PredictionFolder(tmp_path / "pred")
    assert pred.decisions == {"v/0": rec}
    assert pred.provenance == {"backend": "models", "mode": "offline"} and pred.mode == "offline"
    # the benchmark servers' layout: Annotations/<video>/<exp_id>/<frame>.png
    assert pred.mask_path("v", "0", "00000") == tmp_path / "pred" / "Annotations" / "v" / "0" / "00000.png"
    assert pred.mask_path("v", "0", "00000", online=True) == tmp_path / "pred" / "online" / "v" / "0" / "00000.png"
    np.testing.assert_array_equal(pred.mask("v", "0", "00000", (5, 7)), mask)
    np.testing.assert_array_equal(pred.mask("v", "0", "00000", (5, 7), online=True), ~mask)
    assert pred.has_mask("v", "0", "00000") and not pred.has_mask("v", "0", "00001")
    missing = pred.mask("v", "0", "00001", (5, 7))  # no PNG: an empty mask (the report counts it)
    assert missing.shape == (5, 7) and missing.dtype == bool and not missing.any()


def test_prediction_folders_of_the_first_layout_are_still_read(tmp_path):
    """Version 1: masks at <pred>/<video>/<exp_id>/, decisions.json a bare map, no provenance."""
    rec = {"version": 1, "targets": [3], "state": "locked"}
    write_json(tmp_path / "decisions.json", {"v/0": rec})
    write_binary_png(tmp_path / "v" / "0" / "00000.png", np.ones((2, 3), bool))
    pred = PredictionFolder(tmp_path)
    assert pred.decisions == {"v/0": rec} and pred.provenance is None and pred.mode == "online"
    assert pred.mask("v", "0", "00000", (2, 3)).all()


def test_submission_zip_holds_the_annotations_folder_and_is_reproducible(tmp_path):
    w = PredictionWriter(tmp_path / "pred")
    for frame in ("00001", "00000"):
        w.write_mask("v", "0", frame, np.eye(4, dtype=bool))
    w.write_mask("v", "0", "00000", np.eye(4, dtype=bool), online=True)
    w.close()
    path = write_submission_zip(tmp_path / "pred")
    first = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["Annotations/v/0/00000.png", "Annotations/v/0/00001.png"]
    assert write_submission_zip(tmp_path / "pred").read_bytes() == first
    with pytest.raises(InputError, match="has no Annotations folder to zip"):
        write_submission_zip(tmp_path)


def test_a_newer_decisions_file_is_refused(tmp_path):
    write_json(tmp_path / "decisions.json", {"version": 3, "provenance": {}, "decisions": {}})
    with pytest.raises(InputError, match="has version 3; this rvos_ros reads version 2"):
        PredictionFolder(tmp_path)


def test_prediction_folder_without_decisions_file_has_no_decisions(tmp_path):
    (tmp_path / "pred").mkdir()
    assert PredictionFolder(tmp_path / "pred").decisions == {}


# ---------------------------------------------------------------- errors: PNGs

def test_rgb_annotation_is_rejected(tmp_path):
    Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(tmp_path / "rgb.png")
    with pytest.raises(InputError, match="has mode RGB; expected a palette or greyscale PNG"):
        read_index_png(tmp_path / "rgb.png")


def test_unreadable_annotation_is_rejected(tmp_path):
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(InputError, match="cannot read annotation .*bad.png"):
        read_index_png(tmp_path / "bad.png")


def test_unwritable_mask_is_rejected(tmp_path):
    (tmp_path / "m.png").mkdir()  # a folder where the file should go
    with pytest.raises(InputError, match="cannot write mask .*check that the folder is writable"):
        write_binary_png(tmp_path / "m.png", np.zeros((2, 2), bool))


def test_unreadable_mask_is_rejected(tmp_path):
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(InputError, match="cannot read mask .*is it a PNG"):
        read_binary_png(tmp_path / "bad.png")


# ---------------------------------------------------------------- errors: dataset folder

def test_missing_dataset_folder_is_rejected(tmp_path):
    with pytest.raises(InputError, match="dataset folder .*does not exist"):
        DatasetFolder(tmp_path / "nope")


def test_missing_expressions_file_is_rejected(tmp_path):
    with pytest.raises(InputError, match="expressions file .*meta_expressions.json.* is missing"):
        DatasetFolder(tmp_path)


def test_invalid_expressions_json_is_rejected(tmp_path):
    (tmp_path / "meta_expressions.json").write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="expressions file .* is not valid JSON"):
        DatasetFolder(tmp_path)


def test_invalid_meta_json_is_rejected(tmp_path):
    minimal_dataset(tmp_path, {})
    (tmp_path / "meta.json").write_text("[oops", encoding="utf-8")
    with pytest.raises(InputError, match="object metadata file .*meta.json.* is not valid JSON"):
        DatasetFolder(tmp_path)


@pytest.mark.parametrize("content", [[], {"video": {}}, {"videos": []}])
def test_expressions_file_without_videos_mapping_is_rejected(tmp_path, content):
    write_json(tmp_path / "meta_expressions.json", content)
    with pytest.raises(InputError, match=r'must hold \{"videos"'):
        DatasetFolder(tmp_path)


def test_video_entry_that_is_not_a_mapping_is_rejected(tmp_path):
    minimal_dataset(tmp_path, {"v": ["00000"]})
    with pytest.raises(InputError, match="video 'v' must be a mapping"):
        DatasetFolder(tmp_path)


def test_video_without_frames_is_rejected(tmp_path):
    minimal_dataset(tmp_path, {"v": {"expressions": {}}})
    with pytest.raises(InputError, match="video 'v' has no frames; list them under 'frames'"):
        DatasetFolder(tmp_path)


@pytest.mark.parametrize("exp", [{"obj_id": [1]}, "a dog"])
def test_expression_without_text_is_rejected(tmp_path, exp):
    minimal_dataset(tmp_path, {"v": {"frames": ["0"], "expressions": {"7": exp}}})
    with pytest.raises(InputError, match="expression '7' needs 'exp' and 'obj_id'"):
        DatasetFolder(tmp_path)


@pytest.mark.parametrize("obj_id", ["dog", [1, None], {"a": 1}])
def test_non_integer_obj_id_is_rejected(tmp_path, obj_id):
    minimal_dataset(tmp_path, {"v": {"frames": ["0"], "expressions": {"0": {"exp": "x", "obj_id": obj_id}}}})
    with pytest.raises(InputError, match="obj_id must be an integer or a list of integers"):
        DatasetFolder(tmp_path)


def test_missing_frame_image_is_rejected(tmp_path):
    ds = DatasetFolder(minimal_dataset(tmp_path, {"v": {"frames": ["00000"], "expressions": {}}}))
    with pytest.raises(InputError, match="frame image .*00000.jpg.* is missing or unreadable"):
        ds.image("v", "00000")


def test_missing_annotation_without_a_shape_is_rejected(tmp_path):
    ds = DatasetFolder(minimal_dataset(tmp_path, {"v": {"frames": ["00000"], "expressions": {}}}))
    with pytest.raises(InputError, match="annotation .*00000.png.* is missing"):
        ds.labels("v", "00000")


# ---------------------------------------------------------------- errors: prediction folder

def test_missing_prediction_folder_is_rejected(tmp_path):
    with pytest.raises(InputError, match="prediction folder .*does not exist; write one with `rvos-ros run`"):
        PredictionFolder(tmp_path / "nope")


def test_decisions_file_that_is_not_a_mapping_is_rejected(tmp_path):
    write_json(tmp_path / "decisions.json", [1, 2])
    with pytest.raises(InputError, match="must map 'video/exp_id' to a decision"):
        PredictionFolder(tmp_path)


def test_invalid_decisions_json_is_rejected(tmp_path):
    (tmp_path / "decisions.json").write_text("{]", encoding="utf-8")
    with pytest.raises(InputError, match="decisions file .* is not valid JSON"):
        PredictionFolder(tmp_path)


def test_prediction_of_the_wrong_size_is_rejected(tmp_path):
    write_binary_png(tmp_path / "v" / "0" / "00000.png", np.zeros((4, 6), bool))
    pred = PredictionFolder(tmp_path)
    with pytest.raises(InputError, match=r"has size \(6, 4\), the frame has \(8, 5\); predictions must match"):
        pred.mask("v", "0", "00000", (5, 8))


# ---------------------------------------------------------------- benchmark layouts

def image(root: Path, video: str, frame: str, shape: tuple[int, int] = (6, 8)) -> None:
    (root / video).mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(root / video / f"{frame}.jpg"), np.zeros((*shape, 3), np.uint8))


def test_a_ref_youtube_vos_split_is_read_with_its_expressions_beside_it(tmp_path):
    release = tmp_path / "ref-youtube-vos"
    split = release / "train"
    image(split / "JPEGImages", "vid", "00000")
    labels = np.zeros((6, 8), np.uint8)
    labels[1:3, 1:3] = 2
    write_index_png(split / "Annotations" / "vid" / "00000.png", labels)
    write_json(split / "meta.json", {"videos": {"vid": {"objects": {"2": {"category": "cat", "frames": ["00000"]}}}}})
    write_json(release / "meta_expressions" / "train" / "meta_expressions.json",
               {"videos": {"vid": {"frames": ["00000"], "expressions": {"0": {"exp": "a cat", "obj_id": "2"}}}}})
    ds = DatasetFolder(split)
    assert ds.layout == "ref-youtube-vos" and ds.has_truth
    assert ds.expressions == [Expression("vid", "0", "a cat", (2,))]
    assert dict(ds.videos["vid"].objects) == {2: "cat"}
    assert ds.truth(ds.expressions[0], "00000", ds.labels("vid", "00000")).sum() == 4
    with pytest.raises(InputError, match="is a benchmark release, not one split; give a split folder, e.g. .*train"):
        DatasetFolder(release)


def test_a_split_without_ground_truth_can_be_run_but_not_scored(tmp_path):
    image(tmp_path / "JPEGImages", "vid", "00000")
    minimal_dataset(tmp_path, {"vid": {"frames": ["00000"], "expressions": {"0": {"exp": "a cat"}}}})
    ds = DatasetFolder(tmp_path)
    assert not ds.has_truth and ds.expressions[0].annotated is False
    assert not ds.labels("vid", "00000", (6, 8)).any()  # what the runner feeds perception: nothing annotated
    with pytest.raises(InputError, match=r"has no ground truth for 1 expression\(s\) .*'vid/0' names no obj_id.*"
                                         "submit `rvos-ros run --zip` output"):
        ds.require_truth()


def test_the_davis_2017_release_folders_are_read(tmp_path):
    image(tmp_path / "JPEGImages" / "480p", "bear", "00000")
    write_index_png(tmp_path / "Annotations" / "480p" / "bear" / "00000.png", np.ones((6, 8), np.uint8))
    minimal_dataset(tmp_path, {"bear": {"expressions": {"0": {"exp": "a bear", "obj_id": [1]}}}})
    ds = DatasetFolder(tmp_path)
    assert ds.layout == "davis" and ds.has_truth and ds.videos["bear"].frames == ("00000",)
    assert ds.image_path("bear", "00000") == tmp_path / "JPEGImages" / "480p" / "bear" / "00000.jpg"
    assert ds.labels("bear", "00000").all()


def test_a_folder_without_frame_images_is_refused(tmp_path):
    write_json(tmp_path / "meta_expressions.json", {"videos": {}})
    with pytest.raises(InputError, match="has no JPEGImages folder .*DAVIS, Ref-YouTube-VOS, MeViS"):
        DatasetFolder(tmp_path)


def test_objects_without_annotations_or_masks_are_refused_never_scored_as_empty(tmp_path):
    image(tmp_path / "JPEGImages", "vid", "00000")
    minimal_dataset(tmp_path, {"vid": {"frames": ["00000"], "expressions": {"0": {"exp": "a cat", "obj_id": 1}}}})
    ds = DatasetFolder(tmp_path)
    assert not ds.has_truth
    with pytest.raises(InputError, match=r"names objects \(obj_id\) but has no Annotations folder .* and no "
                                         r"mask_dict.json with anno_id \(MeViS\)"):
        ds.require_truth()
    (tmp_path / "Annotations" / "other").mkdir(parents=True)
    with pytest.raises(InputError, match="has no annotations for video 'vid'"):
        DatasetFolder(tmp_path).require_truth()


def mevis(root: Path, masks: dict[str, list[object]] | None, expressions: dict[str, dict[str, object]]) -> Path:
    for f in ("00000", "00001"):
        image(root / "JPEGImages", "vid", f, (4, 5))
    minimal_dataset(root, {"vid": {"frames": ["00000", "00001"], "expressions": expressions}})
    if masks is not None:
        write_json(root / "mask_dict.json", masks)
    return root


def rle_of(mask: np.ndarray) -> dict[str, object]:
    from rvos_ros.eval.rle import encode_rle

    return encode_rle(mask)


def test_a_mevis_split_is_read_from_its_rle_masks(tmp_path):
    a = np.zeros((4, 5), bool)
    a[0:2, 0:2] = True
    b = np.zeros((4, 5), bool)
    b[1:3, 1:4] = True  # overlaps a at (1, 1)
    root = mevis(tmp_path, {"17": [rle_of(a), None], "9": [rle_of(b), rle_of(b)]},
                 {"0": {"exp": "the left one", "obj_id": [0], "anno_id": [17]},
                  "1": {"exp": "both", "obj_id": [0, 1], "anno_id": [17, 9]}})
    ds = DatasetFolder(root)
    assert ds.layout == "mevis" and ds.has_truth
    # anno_ids in ascending order become object ids 1, 2, ...: 9 -> 1, 17 -> 2
    assert [(e.obj_ids, e.anno_ids) for e in ds.expressions] == [((2,), (17,)), ((1, 2), (9, 17))]
    assert dict(ds.videos["vid"].objects) == {1: "object", 2: "object"}
    lab0 = ds.labels("vid", "00000")
    assert lab0[0, 0] == 2 and lab0[2, 3] == 1 and lab0[3, 4] == 0
    np.testing.assert_array_equal(ds.truth(ds.expressions[1], "00000", lab0), a | b)  # the masks, overlap and all
    np.testing.assert_array_equal(ds.truth(ds.expressions[0], "00001", ds.labels("vid", "00001")), np.zeros_like(a))
    assert ds.has_annotation("vid", "00001")


def test_mevis_expressions_without_their_masks_are_refused(tmp_path):
    ds = DatasetFolder(mevis(tmp_path, None, {"0": {"exp": "x", "obj_id": [0], "anno_id": [3]}}))
    assert not ds.has_truth
    with pytest.raises(InputError, match=r"has MeViS expressions \(anno_id\) but no mask_dict.json"):
        ds.require_truth()


@pytest.mark.parametrize(("masks", "match"), [
    ({"4": [None, None]}, "mask_dict.json has no masks for anno_id 3 of video 'vid'"),
    ({"3": [None]}, "mask_dict.json anno_id 3 has 1 frame masks but video 'vid' has 2 frames"),
    ({"3": [{"counts": "x"}, None]}, r"mask_dict.json anno_id 3 frame 0 must be a COCO RLE"),
    ([1], "must map anno_id to a list of RLE masks per frame"),
])
def test_a_mask_file_that_does_not_fit_is_refused(tmp_path, masks, match):
    ds = DatasetFolder(mevis(tmp_path, masks, {"0": {"exp": "x", "obj_id": [0], "anno_id": [3]}}))
    with pytest.raises(InputError, match=match):
        ds.labels("vid", "00000")


def test_a_mevis_expression_with_objects_but_no_anno_id_is_refused(tmp_path):
    with pytest.raises(InputError, match="expression '1' has 'obj_id' but no 'anno_id'"):
        DatasetFolder(mevis(tmp_path, {}, {"0": {"exp": "x", "obj_id": [0], "anno_id": [3]},
                                           "1": {"exp": "y", "obj_id": [1]}}))
