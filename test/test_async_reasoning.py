"""Reasoning off the frame loop (live mode): a slow LLM never stalls a frame, stale answers are dropped,
and every LLM fault ends in a `fallback` decision that says why while the stream goes on."""

import json
import threading
import time

import numpy as np
import pytest
from dog_ball_scene import CATEGORIES, N, scene, stamp

from rvos_ros.config import Config, LLMConfig
from rvos_ros.errors import LLMError
from rvos_ros.perception.simulated import SimulatedPerception
from rvos_ros.reasoning.llm_stage import LLMStage
from rvos_ros.reasoning.worker import InlineReasoner, ReasoningWorker
from rvos_ros.runtime import Runtime
from rvos_ros.types import Decision, Frame

KNOWLEDGE = "the one I could throw for the dog to fetch"  # needs world knowledge: the gate asks the LLM


def runtime(mode, llm):
    cfg = Config().replace(**{"runtime.mode": mode, "runtime.reason_every": 3})
    perception = SimulatedPerception(cfg.perception, CATEGORIES)
    return Runtime(cfg, perception, llm=llm), perception


def feed(rt, perception, i):
    img, labels = scene(i % N)
    perception.feed_labels(stamp(i), labels)
    t0 = time.perf_counter()
    result = rt.step(Frame(img, stamp(i), seq=i))
    return result, time.perf_counter() - t0


class SlowLLM:
    """An LLM hook that takes ``delay`` seconds and answers the ball (id 2)."""

    def __init__(self, delay):
        self.delay, self.calls, self.generations = delay, 0, []

    def __call__(self, window, query, rules, reason):
        self.calls += 1
        time.sleep(self.delay)
        return Decision(targets=(2,), confidence=0.9, state="locked", stage="llm", rationale="balls are thrown")


def test_a_slow_llm_never_stalls_the_frame_loop_and_its_answer_arrives_later():
    llm = SlowLLM(0.6)
    rt, perception = runtime("live", llm)
    rt.set_command(KNOWLEDGE)
    stages, worst = [], 0.0
    for i in range(30):
        result, dt = feed(rt, perception, i)
        worst = max(worst, dt)
        stages.append(result.decision.stage)
        time.sleep(1 / 15)
    rt.close()
    assert worst < 0.3, f"a frame waited {worst:.2f} s for the LLM"
    assert stages[0] != "llm" and "llm" in stages  # the answer came later, without holding a frame
    assert 1 <= llm.calls <= 4  # at most one request in flight: ~2 s of frames, 0.6 s per request


def test_deterministic_mode_runs_the_same_code_inline():
    llm = SlowLLM(0.0)
    rt, perception = runtime("deterministic", llm)
    assert isinstance(rt.reasoner, InlineReasoner)
    rt.set_command(KNOWLEDGE)
    result, _ = feed(rt, perception, 0)
    assert result.decision.stage == "llm" and result.decision.targets == (2,)


def test_a_command_change_during_a_slow_request_discards_the_old_answer():
    release = threading.Event()

    def blocking(window, query, rules, reason):
        release.wait(5.0)
        return Decision(targets=(1,), confidence=0.9, state="locked", stage="llm", rationale="old command")

    rt, perception = runtime("live", blocking)
    assert isinstance(rt.reasoner, ReasoningWorker)
    rt.set_command(KNOWLEDGE)
    feed(rt, perception, 0)  # submits the slow request
    assert rt.reasoner.busy
    rt.set_command("the ball")
    release.set()
    assert rt.reasoner.wait_idle(5.0)
    decisions = []
    for i in range(1, 12):
        decisions.append(feed(rt, perception, i)[0].decision)
    rt.close()
    assert rt.stale_dropped == 1
    assert all(d.rationale != "old command" for d in decisions)
    assert decisions[-1].targets == (2,) and decisions[-1].generation == rt.generation


class FaultyClient:
    def __init__(self, fault):
        self.fault, self.calls = fault, 0

    def complete(self, messages, schema):
        self.calls += 1
        if isinstance(self.fault, Exception):
            raise self.fault
        return schema.model_validate_json(self.fault)


@pytest.mark.parametrize("fault, why", [
    (LLMError("the LLM server did not answer within 10 s"), "did not answer within 10 s"),
    (LLMError("the LLM server answered HTTP 500"), "HTTP 500"),
    (LLMError("the LLM answer is not valid TargetAnswer JSON (targets: Field required)"), "not valid"),
    (json.dumps({"targets": [99], "confidence": 0.9, "rationale": "x"}), "not candidates: [99]"),
])
def test_every_llm_fault_falls_back_to_the_rules_and_says_why(fault, why):
    client = FaultyClient(fault)
    rt, perception = runtime("deterministic", LLMStage(client))
    rt.set_command(KNOWLEDGE)
    results = [feed(rt, perception, i)[0] for i in range(8)]
    assert client.calls >= 1
    d = results[0].decision
    assert d.stage == "fallback" and why in d.rationale
    assert len(results) == 8 and all(r.mask.shape == results[0].mask.shape for r in results)  # the loop went on


def test_the_llm_is_not_asked_when_the_rules_are_confident():
    client = FaultyClient(LLMError("must not be called"))
    rt, perception = runtime("deterministic", LLMStage(client))
    rt.set_command("the dog")
    for i in range(10):
        d = feed(rt, perception, i)[0].decision
    assert client.calls == 0 and d.stage == "rules" and d.targets == (1,)


def test_an_llm_answer_below_lock_confidence_is_not_locked():
    client = FaultyClient(json.dumps({"targets": [2], "confidence": 0.3, "rationale": "maybe the ball"}))
    rt, perception = runtime("deterministic", LLMStage(client))
    rt.set_command(KNOWLEDGE)
    d = feed(rt, perception, 0)[0].decision
    assert d.stage == "llm" and d.targets == (2,) and d.state == "reasoning"


def test_build_llm_hook_follows_the_config():
    from rvos_ros.reasoning.llm_stage import build_llm_hook

    assert build_llm_hook(LLMConfig()) is None
    hook = build_llm_hook(LLMConfig(backend="openai", base_url="http://127.0.0.1:9/v1"))
    assert isinstance(hook, LLMStage)
    assert np.isfinite(hook.min_observed_s)
