"""COCO RLE masks (MeViS's mask_dict.json), through pycocotools."""

import numpy as np
import pytest

from rvos_ros.errors import InputError
from rvos_ros.eval.rle import decode_rle, encode_rle


def test_a_mask_round_trips_as_a_compressed_string():
    mask = np.zeros((5, 7), bool)
    mask[1:3, 2:5] = True
    rle = encode_rle(mask)
    assert rle["size"] == [5, 7] and isinstance(rle["counts"], str)
    np.testing.assert_array_equal(decode_rle(rle, "m"), mask)


def test_uncompressed_run_lengths_are_read_too():
    # column-major runs, background first: 7 off, 2 on, 3 off, 2 on, 3 off, 2 on, 16 off
    mask = decode_rle({"size": [5, 7], "counts": [7, 2, 3, 2, 3, 2, 16]}, "m")
    assert mask.shape == (5, 7) and mask.sum() == 6 and mask[2:4, 1:4].all()


@pytest.mark.parametrize("bad", [None, "abc", {"counts": "x"}, {"size": [2, 2]}])
def test_anything_else_is_refused(bad):
    with pytest.raises(InputError, match="anno 3 must be a COCO RLE"):
        decode_rle(bad, "anno 3")


def test_a_size_that_is_not_two_numbers_is_refused():
    with pytest.raises(InputError, match="anno 3 is not a valid COCO RLE"):
        decode_rle({"size": ["a", 2], "counts": "x"}, "anno 3")
