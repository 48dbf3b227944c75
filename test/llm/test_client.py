"""The OpenAI-compatible client against a scripted server on loopback: answers validated, faults as LLMError."""

import json

import pytest

from rvos_ros.config import LLMConfig
from rvos_ros.errors import LLMError
from rvos_ros.llm.client import OpenAICompatibleClient, build_client
from rvos_ros.llm.prompts import TrackSummary, motion_messages
from rvos_ros.llm.schemas import QueryAnswer, TargetAnswer
from rvos_ros.testing.fake_openai_server import FakeOpenAIServer

pytest.importorskip("openai")

GOOD = json.dumps({"targets": [3], "confidence": 0.8, "rationale": "3 is a cup"})


@pytest.fixture
def server():
    with FakeOpenAIServer() as s:
        yield s


def client(server, **kw):
    cfg = LLMConfig(backend="openai", base_url=server.base_url, model="llama", timeout_s=kw.pop("timeout_s", 5.0),
                    max_retries=0, api_key_env="RVOS_TEST_KEY")
    return OpenAICompatibleClient(cfg, env={"RVOS_TEST_KEY": "sk-secret-123"})


def messages():
    return motion_messages("the one I could drink from", [TrackSummary(3, "cup"), TrackSummary(5, "dog")],
                           duration_s=2.0, width=64, height=48)


def test_a_good_answer_is_validated_and_the_request_asks_for_the_schema(server):
    server.replies.append(("json", GOOD))
    c = client(server)
    answer = c.complete(messages(), TargetAnswer)
    assert answer == TargetAnswer(targets=[3], confidence=0.8, rationale="3 is a cup")
    req = server.requests[0]
    assert req["path"] == "/v1/chat/completions"
    assert req["body"]["model"] == "llama" and req["body"]["temperature"] == 0.0
    fmt = req["body"]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "TargetAnswer"
    assert set(fmt["json_schema"]["schema"]["properties"]) == {"targets", "confidence", "rationale"}
    assert {k.lower(): v for k, v in req["headers"].items()}["authorization"] == "Bearer sk-secret-123"
    assert "sk-secret" not in repr(c) and "sk-secret" not in str(vars(c).get("config"))


def test_a_fenced_answer_with_extra_keys_is_accepted(server):
    server.replies.append(("json", "```json\n" + json.dumps({"targets": [], "confidence": 0.1, "note": 1}) + "\n```"))
    assert client(server).complete(messages(), TargetAnswer).targets == []


@pytest.mark.parametrize("reply, message", [
    (("status", 500), "HTTP 500"),
    (("json", "{not json"), "not valid TargetAnswer JSON"),
    (("json", json.dumps({"targets": ["three"], "confidence": 0.5})), "targets.0"),
    (("json", json.dumps({"targets": [3], "confidence": 7})), "confidence"),
    (("json", ""), "empty message"),
    (("raw", {"unexpected": True}), "LLM"),
])
def test_faults_become_llm_errors_that_say_why(server, reply, message):
    server.replies.append(reply)
    with pytest.raises(LLMError, match=message):
        client(server).complete(messages(), TargetAnswer)


def test_a_slow_server_times_out(server):
    server.replies.append(("sleep", 2.0, GOOD))
    with pytest.raises(LLMError, match=r"did not answer within 0.5 s"):
        client(server, timeout_s=0.5).complete(messages(), TargetAnswer)


def test_an_unreachable_server(server):
    cfg = LLMConfig(backend="openai", base_url="http://127.0.0.1:9/v1", timeout_s=2.0, max_retries=0)
    with pytest.raises(LLMError, match=r"cannot reach the LLM server at http://127.0.0.1:9/v1"):
        OpenAICompatibleClient(cfg, env={}).complete(messages(), TargetAnswer)


def test_query_decomposition_answer_becomes_a_parsed_query(server):
    server.replies.append(("json", json.dumps({
        "categories": ["Cup"], "context": ["table"], "motions": [{"kind": "Direction", "value": "left"}],
        "attributes": [{"kind": "color", "value": "red"}], "relations": [], "count": 1})))
    q = client(server).complete([{"role": "user", "content": "x"}], QueryAnswer).to_query("the red cup")
    assert q.categories == ("cup",) and q.context == ("table",) and q.source == "llm"
    assert q.motions[0].kind == "direction" and q.attributes[0].value == "red"


@pytest.mark.parametrize(("descriptor", "problem"), [
    ({"kind": "move", "value": "left"}, r"motions.0.kind: Input should be 'moving', 'direction'"),
    ({"kind": "direction", "value": "northwest"}, r"direction takes the value 'left', 'right', 'up', 'down'"),
    ({"kind": "relative", "value": "left", "ref": "table"}, r"relative value 'left' is not of the form value left_of"),
    ({"kind": "repeats", "value": "twice"}, r"repeats value 'twice' is not of the form value stop, turn or jump"),
    ({"kind": "stops", "ref": "table"}, r"stops refers to no other object"),
])
def test_a_decomposition_off_the_vocabulary_is_refused_whole(server, descriptor, problem):
    """One descriptor the rules would misread (an unknown kind, a value or ref its kind does not take) makes
    the whole decomposition invalid, named: never a partial reading that the rules could lock on."""
    server.replies.append(("json", json.dumps({"categories": ["cup"], "motions": [descriptor]})))
    with pytest.raises(LLMError, match=problem):
        client(server).complete([{"role": "user", "content": "x"}], QueryAnswer)


def test_backend_none_builds_no_client():
    assert build_client(LLMConfig()) is None
