"""Faults on one frame: the frame is still published with the last decision and the error, the next recovers."""

import json

import numpy as np
from dog_ball_scene import CATEGORIES, FPS, N, scene, stamp

from rvos_ros.bag.replay import replay
from rvos_ros.bag.scene_bag import write_scene_bag
from rvos_ros.config import Config
from rvos_ros.errors import ModelError
from rvos_ros.perception.simulated import SimulatedPerception
from rvos_ros.ros.live import LiveLoop
from rvos_ros.runtime import Runtime
from rvos_ros.types import Decision, Frame


class FlakyPerception(SimulatedPerception):
    """The oracle, except that perception raises on the frames in ``fail_on`` (stream frame numbers)."""

    def __init__(self, config, categories, fail_on, exc=None):
        super().__init__(config, categories)
        self.fail_on, self.exc, self.calls = set(fail_on), exc or ModelError("detector: CUDA out of memory"), 0

    def step(self, frame):
        self.calls += 1
        if self.calls - 1 in self.fail_on:
            raise self.exc
        return super().step(frame)


def run(fail_on, exc=None, frames=20, command="the ball"):
    cfg = Config()
    p = FlakyPerception(cfg.perception, CATEGORIES, fail_on, exc)
    rt = Runtime(cfg, p)
    rt.set_command(command)
    out = []
    for i in range(frames):
        img, labels = scene(i)
        p.feed_labels(stamp(i), labels)
        out.append(rt.step(Frame(img, stamp(i), seq=i)))
    return out


def test_a_perception_fault_publishes_the_last_decision_and_the_next_frame_recovers():
    clean = run(())
    faulty = run({8})
    assert len(faulty) == 20
    r = faulty[8]
    assert "perception failed on this frame" in r.error and "CUDA out of memory" in r.error
    assert r.stamp_ns == stamp(8) and r.decision.targets == faulty[7].decision.targets == (2,)
    assert np.array_equal(r.mask, faulty[7].mask) and r.mask.any()  # the last good frame's mask
    assert faulty[9].error == "" and np.array_equal(faulty[9].mask, clean[9].mask)
    assert [x.decision.targets for x in faulty[10:]] == [x.decision.targets for x in clean[10:]]


def test_a_perception_fault_is_a_gap_in_the_trajectories_not_a_standstill():
    cfg = Config()
    p = FlakyPerception(cfg.perception, CATEGORIES, {8})
    rt = Runtime(cfg, p)
    rt.set_command("the ball")
    for i in range(12):
        img, labels = scene(i)
        p.feed_labels(stamp(i), labels)
        rt.step(Frame(img, stamp(i), seq=i))
    window = rt.session.book.window("the ball", FPS)
    assert window.num_frames == 12 and window.tracks
    for track in window.tracks:
        frames = set(track.boxes[:, 0].astype(int))
        assert 8 not in frames, f"track {track.id} has a row for the failed frame"
        assert {7, 9} <= frames
    assert np.array_equal(window.camera[8], np.eye(3))  # no camera step for the gap: frame 9's spans it


def test_any_exception_from_a_model_is_contained_not_only_ours():
    out = run({0, 1, 2}, exc=RuntimeError("cuDNN error: CUDNN_STATUS_EXECUTION_FAILED"))
    assert all("RuntimeError" in r.error for r in out[:3]) and not out[0].mask.any()  # nothing to show yet
    assert out[-1].error == "" and out[-1].decision.targets == (2,)


def test_a_verifier_or_reasoning_fault_is_reported_and_the_stream_goes_on(monkeypatch):
    import rvos_ros.runtime.session as runtime_mod

    calls = {"n": 0}
    real = runtime_mod.identify

    def sometimes_broken(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ValueError("verifier produced NaN scores")
        return real(*a, **kw)

    monkeypatch.setattr(runtime_mod, "identify", sometimes_broken)
    out = run((), frames=20)
    faults = [r for r in out if r.error]
    assert faults and "reasoning failed: ValueError: verifier produced NaN scores" in faults[0].error
    assert out[-1].error == "" and out[-1].decision.targets == (2,)


def test_the_live_loop_publishes_a_faulty_frame_with_its_error_on_status():
    cfg = Config()
    p = FlakyPerception(cfg.perception, CATEGORIES, {3})
    published = []
    loop = LiveLoop(Runtime(cfg, p), published.append, label_wait_s=0.0)
    loop.put_command("the ball")
    for i in range(6):
        img, labels = scene(i)
        p.feed_labels(stamp(i), labels)
        loop.put_image(Frame(img, stamp(i), seq=i))
        loop.step(timeout=0.5)
    loop.close()
    statuses = [json.loads(o.status) for o in published]
    assert len(published) == 6 and all(o.result is not None for o in published)
    assert "CUDA out of memory" in statuses[3]["error"] and "error" not in statuses[4]
    assert published[3].result.stamp_ns == stamp(3)


def test_replay_counts_frame_faults_and_still_writes_every_frame(tmp_path):
    bag = tmp_path / "in"
    write_scene_bag(bag, (scene(i) for i in range(N)), fps=FPS, categories=CATEGORIES, commands=[(0.0, "the ball")])
    cfg = Config()
    p = FlakyPerception(cfg.perception, {}, {5, 6})
    summary = replay(bag, tmp_path / "out", cfg, perception=p)
    assert summary.frames == N and summary.frame_faults == 2
    assert any("frame 5:" in e for e in summary.errors)
    assert dict(summary.rows())["frames with faults"] == 2


def test_a_resolution_change_restarts_perception_instead_of_failing():
    cfg = Config()
    resets = []

    class Counting(SimulatedPerception):
        def reset(self):
            resets.append(1)
            super().reset()

    p = Counting(cfg.perception, CATEGORIES)
    rt = Runtime(cfg, p)
    rt.set_command("the ball")
    resets.clear()
    img, labels = scene(0)
    p.feed_labels(stamp(0), labels)
    rt.step(Frame(img, stamp(0)))
    small = np.ascontiguousarray(img[::2, ::2])
    p.feed_labels(stamp(1), np.ascontiguousarray(labels[::2, ::2]))
    r = rt.step(Frame(small, stamp(1)))
    assert resets == [1] and r.mask.shape == small.shape[:2] and r.error == ""
    assert isinstance(r.decision, Decision)
