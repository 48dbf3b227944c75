"""The live loop with a fake transport: newest frame only, drops counted, everything applied on one thread."""

import json
import threading
import time

import numpy as np
import pytest
from dog_ball_scene import H, N, W, scene, stamp

from rvos_ros.config import Config
from rvos_ros.errors import InputError
from rvos_ros.interface.messages import header, image_msg
from rvos_ros.perception.simulated import SimulatedPerception
from rvos_ros.ros.live import LiveLoop, LiveOutput
from rvos_ros.runtime import Runtime
from rvos_ros.types import Frame

OBJECTS = json.dumps({"objects": {"1": {"category": "dog"}, "2": {"category": "ball"}}})


def ball(i: int) -> np.ndarray:
    return scene(i)[1] == 2


def camera_msg(i: int, encoding: str = "rgb8"):
    return image_msg(header(stamp(i), "camera"), scene(i)[0], encoding)


def labels_msg(i: int):
    return image_msg(header(stamp(i), "camera"), scene(i)[1], "mono8")


class SpyPerception(SimulatedPerception):
    """Records the thread that feeds it ground truth."""

    def __init__(self, *a, **kw):
        self.threads: set[int] = set()
        super().__init__(*a, **kw)

    def feed_labels(self, stamp_ns, labels):
        self.threads.add(threading.get_ident())
        super().feed_labels(stamp_ns, labels)

    def set_categories(self, categories):
        self.threads.add(threading.get_ident())
        super().set_categories(categories)


def make_loop(config: Config | None = None, **kw) -> tuple[LiveLoop, list[LiveOutput], SpyPerception]:
    cfg = config or Config()
    perception = SpyPerception(cfg.perception, {})
    outputs: list[LiveOutput] = []
    loop = LiveLoop(Runtime(cfg, perception), outputs.append,
                    overlay=cfg.output.overlay, **kw)
    perception.threads.clear()  # the constructor's own set_categories call
    return loop, outputs, perception


def test_only_the_newest_frame_is_processed_and_the_rest_are_counted_as_dropped():
    loop, outputs, _ = make_loop(Config().replace(**{"output.overlay": True}))
    for i in range(5):
        loop.put_image(camera_msg(i))
    out = loop.step(0.0)
    assert out is not None and out.result is not None and outputs == [out]
    assert out.result.stamp_ns == stamp(4) and out.result.frame_id == "camera"
    assert out.result.dropped == 4 == json.loads(out.status)["dropped"]
    assert out.overlay is not None and out.overlay.shape == (H, W, 3)
    assert loop.step(0.01) is None  # nothing new: nothing published
    assert len(outputs) == 1


def test_ground_truth_and_commands_are_applied_on_the_processing_thread_and_the_target_locks():
    loop, outputs, perception = make_loop(Config().replace(**{"output.overlay": False}))
    commands: list[int] = []
    set_command = loop.runtime.set_command

    def spy_command(text):
        commands.append(threading.get_ident())
        return set_command(text)

    loop.runtime.set_command = spy_command
    done: dict[str, object] = {}
    worker = threading.Thread(target=lambda: done.update(summary=loop.run(max_frames=N, duration=20.0),
                                                         ident=threading.get_ident()))
    worker.start()
    loop.put_objects(OBJECTS)
    loop.put_command("the ball")
    for i in range(N):
        loop.put_labels(labels_msg(i))
        loop.put_image(camera_msg(i))
        deadline = time.monotonic() + 5.0  # let each frame be taken before the next, so none is dropped
        while loop.summary.frames + loop.dropped < i + 1 and time.monotonic() < deadline:
            time.sleep(0.002)
    worker.join(20.0)
    assert not worker.is_alive()
    ident = done["ident"]
    assert perception.threads == {ident} and set(commands) == {ident}
    assert ident != threading.get_ident()
    summary = done["summary"]
    assert summary.frames == N and summary.dropped == 0 and summary.commands == 1
    final = outputs[-1].result
    assert final is not None and final.decision.state == "locked" and list(final.decision.targets) == [2]
    assert np.array_equal(final.mask, ball(N - 1))  # the frame's own labels, not a stale map


def test_a_bad_image_is_reported_on_status_and_the_loop_goes_on():
    loop, outputs, _ = make_loop()
    bad = camera_msg(0)
    bad.encoding = "nv24"
    loop.put_image(bad)
    out = loop.step(0.0)
    assert out is not None and out.result is None
    status = json.loads(out.status)
    assert "nv24" in status["error"] and status["state"] == "no_command" and status["dropped"] == 0
    loop.put_image(camera_msg(1))
    out = loop.step(0.0)
    assert out is not None and out.result is not None and "error" not in json.loads(out.status)
    assert [o.result is None for o in outputs] == [True, False]


def test_bad_ground_truth_and_refused_commands_are_reported_with_the_next_frame():
    cfg = Config().replace(**{"output.max_command_chars": 20})
    loop, outputs, _ = make_loop(cfg)
    loop.put_objects("{not json")
    loop.put_command("the ball that rolls to the right of the dog, slowly")
    loop.put_labels(camera_msg(0))  # rgb8 where mono8 ids are expected
    loop.put_image(camera_msg(0))
    out = loop.step(0.0)
    assert out is not None and out.result is not None
    error = json.loads(out.status)["error"]
    assert "objects" in error and "command refused" in error and "labels must be mono8" in error
    assert loop.runtime.command == ""
    loop.put_image(camera_msg(1))
    assert "error" not in json.loads(loop.step(0.0).status)
    assert len(loop.summary.errors) == 3


def test_errors_without_frames_are_still_reported():
    loop, outputs, _ = make_loop()
    loop.report("image topic: sample lost")
    out = loop.step(0.0)
    assert out is not None and out.result is None and json.loads(out.status)["error"] == "image topic: sample lost"


def test_a_frame_waits_briefly_for_labels_that_arrive_after_it():
    loop, outputs, perception = make_loop(label_wait_s=1.0)
    loop.put_objects(OBJECTS)
    loop.put_labels(labels_msg(0))
    loop.put_image(camera_msg(0))
    loop.step(0.0)
    loop.put_image(camera_msg(1))
    timer = threading.Timer(0.05, loop.put_labels, args=(labels_msg(1),))
    timer.start()
    out = loop.step(0.0)
    timer.join()
    assert perception.frames_with_stale_labels == 0
    boxes = {t.id: t.box for t in out.result.tracks}
    assert boxes[2] == (62.0, 50.0, 82.0, 70.0)  # frame 1's ball, not frame 0's


def test_frames_are_accepted_directly_and_run_stops_on_duration_stop_and_close():
    loop, outputs, _ = make_loop()
    loop.put_image(Frame(scene(0)[0], stamp(0), "cam"))
    assert loop.step(0.0).result.frame_id == "cam"
    t0 = time.monotonic()
    assert loop.run(duration=0.2).frames == 1 and time.monotonic() - t0 < 2.0
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    loop.run(stop=stop)
    threading.Timer(0.1, loop.close).start()
    t0 = time.monotonic()
    loop.run()
    assert time.monotonic() - t0 < 2.0
    with pytest.raises(InputError, match=r"max_queued must be >= 1"):
        LiveLoop(loop.runtime, outputs.append, max_queued=0)
