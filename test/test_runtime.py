"""The runtime: one FrameResult per frame, deterministic, commands applied from the next frame."""

import numpy as np
import pytest

from rvos_ros.config import Config
from rvos_ros.errors import InputError
from rvos_ros.eval.dataset import DatasetFolder
from rvos_ros.perception.simulated import SimulatedPerception
from rvos_ros.runtime import FrameClock, Runtime
from rvos_ros.types import Frame


def _stream(ds: DatasetFolder, video: str, fps: float = 15.0):
    info = ds.videos[video]
    for i, name in enumerate(info.frames):
        img = ds.image(video, name)
        yield Frame(img, round(i * 1e9 / fps), "cam", i), ds.labels(video, name, img.shape[:2])


def _run(ds, video, command, config=None):
    config = config or Config()
    rt = Runtime(config, SimulatedPerception(config.perception, ds.videos[video].objects))
    rt.set_command(command)
    out = []
    for frame, labels in _stream(ds, video):
        rt.perception.feed_labels(frame.stamp_ns, labels)
        out.append(rt.step(frame))
    return out


def test_one_result_per_frame_with_the_frames_stamp(small_dataset):
    ds = DatasetFolder(small_dataset)
    exp = ds.expressions[0]
    results = _run(ds, exp.video, exp.text)
    frames = ds.videos[exp.video].frames
    assert len(results) == len(frames)
    assert [r.stamp_ns for r in results] == [round(i * 1e9 / 15.0) for i in range(len(frames))]
    assert [r.frame_index for r in results] == list(range(len(frames)))
    assert all(r.mask.shape == (240, 320) and r.mask.dtype == bool for r in results)
    assert {"perception", "camera", "reasoning", "total"} <= set(results[-1].timings_ms)


def test_two_runs_are_identical(small_dataset):
    ds = DatasetFolder(small_dataset)
    for exp in ds.expressions[:3]:
        a, b = _run(ds, exp.video, exp.text), _run(ds, exp.video, exp.text)
        assert [r.decision for r in a] == [r.decision for r in b]
        assert all(np.array_equal(x.mask, y.mask) for x, y in zip(a, b, strict=True))


def test_no_command_means_no_mask_and_clear_empties_it(small_dataset):
    ds = DatasetFolder(small_dataset)
    exp = ds.expressions[0]
    config = Config()
    rt = Runtime(config, SimulatedPerception(config.perception, ds.videos[exp.video].objects))
    states = []
    for frame, labels in _stream(ds, exp.video):
        rt.perception.feed_labels(frame.stamp_ns, labels)
        if frame.seq == 5:
            rt.set_command(exp.text)
        if frame.seq == 25:
            rt.set_command("")
        r = rt.step(frame)
        states.append(r.decision.state)
        if frame.seq < 5 or frame.seq >= 25:
            assert not r.mask.any()
            assert r.decision.state == "no_command"
    assert set(states[5:25]) - {"no_command"}


def test_bad_commands_are_refused_and_the_old_one_stays(small_dataset):
    ds = DatasetFolder(small_dataset)
    exp = ds.expressions[0]
    config = Config()
    rt = Runtime(config, SimulatedPerception(config.perception, ds.videos[exp.video].objects))
    rt.set_command(exp.text)
    gen = rt.generation
    with pytest.raises(InputError, match=r"1000"):
        rt.set_command("dog " * 600)
    with pytest.raises(InputError, match=r"must be a string"):
        rt.set_command(None)  # type: ignore[arg-type]
    assert rt.command == exp.text and rt.generation == gen


def test_frame_clock_estimates_rate_from_stamps():
    clock = FrameClock(default_fps=7.0)
    assert clock.fps == 7.0
    for i in range(50):
        clock.tick(i * 100_000_000)  # 10 Hz
    assert abs(clock.fps - 10.0) < 1e-6
    clock.tick(49 * 100_000_000)  # duplicated stamp: ignored
    assert abs(clock.fps - 10.0) < 1e-6
