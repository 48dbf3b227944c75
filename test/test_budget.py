"""The frame budget: over it, the runtime gives things up in the configured order and says so; under it, it recovers.

Frame times are fed as numbers (``FrameBudget.observe``) or forced over a
budget no frame can meet (1 microsecond): no assertion depends on how fast
this machine is.
"""

import pytest
from perception.fake_models import FakeDetector, FakeTracker, frame

from rvos_ros.config import BudgetConfig, Config, GroundingConfig
from rvos_ros.errors import ConfigError
from rvos_ros.perception.grounding import CandidateGrounder
from rvos_ros.perception.models import ModelPerception
from rvos_ros.runtime import FrameBudget, Runtime
from rvos_ros.types import FrameResult

DOG, BALL, CAT = (10.0, 10.0, 30.0, 30.0), (50.0, 20.0, 60.0, 30.0), (35.0, 40.0, 45.0, 55.0)


def feed(budget, values):
    for v in values:
        budget.observe(v)


def test_steps_are_taken_in_order_one_per_window_then_over_budget_is_said():
    b = FrameBudget(BudgetConfig(frame_ms=10.0, window_frames=2))
    assert b.degraded == () and b.detector_period_factor == 1 and b.max_tracks is None and b.overlay_allowed
    feed(b, [20, 20, 20])  # the first window is judged when the next frame comes
    assert b.degraded == ("detector",) and b.detector_period_factor == 3
    feed(b, [20, 20])
    assert b.degraded == ("detector", "overlay") and not b.overlay_allowed
    feed(b, [20, 20])
    assert b.degraded == ("detector", "overlay", "tracks") and b.max_tracks == 4
    feed(b, [20, 20])
    assert b.degraded == ("detector", "overlay", "tracks", "over_budget")
    assert b.frames_over == 9


def test_a_step_is_undone_after_three_calm_windows_and_not_before():
    b = FrameBudget(BudgetConfig(frame_ms=10.0, window_frames=2, recover_ratio=0.7))
    feed(b, [20, 20, 20, 20, 5])
    assert b.level == 2
    feed(b, [5, 5, 5, 5])  # two calm windows judged
    assert b.level == 2
    feed(b, [5, 5])
    assert b.level == 1 and b.degraded == ("detector",)
    feed(b, [8, 8] * 6)  # within budget but not calm (above 70 %): the step stays
    assert b.level == 1


def test_the_order_is_configurable_and_empty_means_report_only():
    b = FrameBudget(BudgetConfig(frame_ms=10.0, window_frames=1, degrade="tracks,detector"))
    feed(b, [20, 20])
    assert b.degraded == ("tracks",) and b.max_tracks == 4 and b.overlay_allowed
    b = FrameBudget(BudgetConfig(frame_ms=10.0, window_frames=1, degrade=""))
    feed(b, [20, 20])
    assert b.degraded == ("over_budget",)


def test_the_transports_time_counts_with_its_frame():
    b = FrameBudget(BudgetConfig(frame_ms=10.0, window_frames=1))
    b.observe(8.0)
    b.add_transport_ms(5.0)  # drawing the overlay pushed this frame over
    b.observe(1.0)
    assert b.degraded == ("detector",)


def test_a_zero_budget_is_off():
    b = FrameBudget(BudgetConfig())
    feed(b, [1e6] * 50)
    assert b.degraded == () and not b.enabled


@pytest.mark.parametrize(("degrade", "match"), [("detector,colour", "unknown step 'colour'"),
                                                ("overlay,overlay", "named twice")])
def test_a_bad_degrade_order_names_the_key(degrade, match):
    with pytest.raises(ConfigError, match=f"'budget.degrade'.*{match}"):
        Config().replace(**{"budget.degrade": degrade})


# -- the grounder's limits ------------------------------------------------------------------------------------


def test_the_detector_step_lengthens_the_keyframe_period():
    det, trk = FakeDetector({"dog": [DOG]}), FakeTracker()
    g = CandidateGrounder(det, trk, every_n_frames=3)
    g.set_phrases(["dog"])
    g.set_limits(detector_period_factor=2)
    for i in range(13):
        g.step(frame(i))
    assert det.frames == [0, 6, 12]


def test_the_tracks_step_keeps_the_targets_first_then_the_best_scored_and_starts_no_more():
    det, trk = FakeDetector({"dog": [DOG, BALL, CAT]}), FakeTracker()  # scores 0.9, 0.85, 0.8
    g = CandidateGrounder(det, trk, GroundingConfig(max_tracks=16), every_n_frames=2)
    g.set_phrases(["dog"])
    assert [t.id for t in g.step(frame(0))] == [1, 2, 3]
    g.set_limits(max_tracks=2, keep=(3,))
    assert [t.id for t in g.step(frame(1))] == [1, 3]
    assert ("remove", 2) in trk.calls
    assert [t.id for t in g.step(frame(2))] == [1, 3]  # a keyframe: the ball is seen but not tracked again
    g.set_limits()
    g.step(frame(3))
    assert [t.id for t in g.step(frame(4))] == [1, 3, 4]  # lifted: the ball comes back under a new id


# -- through the runtime ------------------------------------------------------------------------------------------


def runtime(mode, **budget):
    cfg = Config().replace(**{"runtime.mode": mode, **{f"budget.{k}": v for k, v in budget.items()}})
    det, trk = FakeDetector({"dog": [DOG], "ball": [BALL], "cat": [CAT]}), FakeTracker()
    p = ModelPerception(det, trk, cfg.perception, asynchronous=False)  # inline: the test needs no worker
    return Runtime(cfg, p), p


def test_live_frames_over_budget_degrade_in_order_and_each_result_says_so():
    rt, p = runtime("live", frame_ms=0.001, window_frames=1, max_tracks=1)  # no frame fits in a microsecond
    rt.set_command("the dog chasing the ball")
    results = [rt.step(frame(i)) for i in range(6)]
    assert [r.degraded for r in results] == [(), (), ("detector",), ("detector", "overlay"),
                                             ("detector", "overlay", "tracks"),
                                             ("detector", "overlay", "tracks", "over_budget")]
    assert not results[-1].overlay_allowed and results[1].overlay_allowed and not rt.overlay_allowed
    g = p.grounder
    assert g.period_factor == 3 and g.track_cap == 1 and len(results[-1].tracks) == 1
    rt.close()


def test_deterministic_mode_never_degrades():
    rt, p = runtime("deterministic", frame_ms=0.001, window_frames=1)
    rt.set_command("the dog")
    results = [rt.step(frame(i)) for i in range(6)]
    assert rt.budget is None and all(r.degraded == () for r in results) and rt.overlay_allowed
    assert p.grounder.period_factor == 1 and p.grounder.track_cap is None


def test_reconfiguring_the_budget_starts_with_everything_on():
    rt, p = runtime("live", frame_ms=0.001, window_frames=1)
    rt.set_command("the dog")
    for i in range(4):
        rt.step(frame(i))
    assert p.grounder.period_factor == 3
    rt.reconfigure(rt.config.replace(**{"budget.frame_ms": 0.0}))
    assert rt.budget is None and p.grounder.period_factor == 1 and rt.step(frame(4)).degraded == ()
    rt.close()


def test_a_frame_result_built_without_it_has_nothing_degraded():
    import numpy as np

    from rvos_ros.types import Decision

    r = FrameResult(0, 0, "camera", 0, np.zeros((2, 2), bool), Decision())
    assert r.degraded == () and r.overlay_allowed


def test_the_live_loop_draws_no_overlay_while_the_budget_forbids_it_and_status_names_the_steps():
    import json

    from rvos_ros.ros.live import LiveLoop

    rt, _ = runtime("live", frame_ms=0.001, window_frames=1)
    outs = []
    loop = LiveLoop(rt, outs.append, overlay=True)
    loop.put_command("the dog")
    for i in range(5):
        loop.put_image(frame(i))
        loop.step(0.0)
    assert outs[0].overlay is not None and "degraded" not in json.loads(outs[0].status)
    assert outs[-1].overlay is None and json.loads(outs[-1].status)["degraded"][:2] == ["detector", "overlay"]
    rt.close()
