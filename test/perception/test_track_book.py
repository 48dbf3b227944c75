"""The track book keeps bounded trajectories and hands out frozen, re-based windows."""

import numpy as np

from rvos_ros.perception.track_book import TrackBook
from rvos_ros.types import Track

I3 = np.eye(3)


def _track(tid, x, visible=True, label="dog"):
    mask = np.zeros((20, 40), bool)
    mask[2:6, x:x + 4] = True
    return Track(tid, label, 0.9, (x, 2, x + 4, 6), visible, mask if visible else None)


def test_rows_and_events():
    book = TrackBook(window_frames=10, keyframes=2, keyframe_every=2)
    img = np.zeros((20, 40, 3), np.uint8)
    ev = book.update(0, [_track(1, 0)], I3, img)
    assert ev.appeared == {1} and not ev.vanished
    ev = book.update(1, [_track(1, 1), _track(2, 9)], I3, img)
    assert ev.appeared == {2}
    ev = book.update(2, [_track(1, 2, visible=False)], I3, img)  # 1 hidden, 2 not reported at all
    assert ev.vanished == {1, 2}
    w = book.window("the dog", 15.0)
    assert w.num_frames == 3 and (w.width, w.height) == (40, 20)
    rows = w.track(1).boxes
    assert rows[:, 0].tolist() == [0, 1, 2] and rows[:, 5].tolist() == [1, 1, 0]
    assert w.track(2).boxes[:, 0].tolist() == [1]
    assert [k.frame_index for k in w.keyframes] == [0]  # frame 2 has no visible mask to keep


def test_window_is_bounded_and_rebased():
    book = TrackBook(window_frames=5, keyframes=0)
    for i in range(30):
        h = np.array([[1, 0, 1.0], [0, 1, 0], [0, 0, 1]])
        book.update(i, [_track(1, i % 30)], h, np.zeros((20, 40, 3), np.uint8))
    w = book.window("q", 15.0)
    assert w.num_frames == 5 and w.first_frame == 25
    assert w.track(1).boxes[:, 0].tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(w.camera[0], I3)  # the window's first frame has no predecessor
    assert w.camera[1][0, 2] == 1.0
    assert len(w.track(1).boxes) == 5


def test_tracks_unseen_for_a_whole_window_are_retired():
    book = TrackBook(window_frames=4, keyframes=0)
    book.update(0, [_track(1, 0), _track(2, 5)], I3)
    for i in range(1, 8):
        book.update(i, [_track(1, i)], I3)
    assert book.track_ids() == [1]


def test_reset_forgets_everything():
    book = TrackBook()
    book.update(0, [_track(1, 0)], I3)
    book.reset()
    assert book.track_ids() == [] and book.window("q", 10.0).num_frames == 0
