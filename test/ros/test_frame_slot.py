"""The live intake keeps only the newest frame and counts what it dropped."""

import threading

from rvos_ros.ros.frame_slot import LatestSlot


def test_newest_wins_and_drops_are_counted():
    slot = LatestSlot[int]()
    for i in range(5):
        slot.put(i)
    assert slot.take(0) == 4
    assert slot.dropped == 4 and slot.received == 5
    assert slot.take(0.01) is None


def test_take_wakes_on_put_from_another_thread():
    slot = LatestSlot[str]()
    t = threading.Timer(0.05, slot.put, args=("frame",))
    t.start()
    assert slot.take(5.0) == "frame"
    t.join()


def test_close_releases_a_waiting_taker():
    slot = LatestSlot[int]()
    t = threading.Timer(0.05, slot.close)
    t.start()
    assert slot.take(5.0) is None
    t.join()
