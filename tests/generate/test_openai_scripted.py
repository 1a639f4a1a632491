"""The OpenAI-compatible generator against a scripted server on 127.0.0.1: retries, timeouts,
malformed JSON, a cut stream, key handling."""

from __future__ import annotations

import socket

import pytest

from medcite.answer.generators import make_generator
from medcite.answer.generators.base import Generation
from medcite.errors import GeneratorError

from .scripted_server import ScriptedServer


def gen(url: str, **kw):
    args = dict(model="scripted", base_url=url, api_key_env="MEDCITE_TEST_KEY", timeout=5.0, max_retries=2)
    args.update(kw)
    return make_generator("openai", **args)


def test_plain_reply_counts_tokens_and_sends_max_tokens(monkeypatch):
    monkeypatch.setenv("MEDCITE_TEST_KEY", "sk-secret-123")
    with ScriptedServer([("ok", "Metformin is first line [1].")]) as s:
        g = gen(s.base_url).generate("rules", "question", max_tokens=33)
    assert g.text == "Metformin is first line [1]."
    assert (g.tokens_in, g.tokens_out) == (50, 9)
    body = s.requests[0]["body"]
    assert body["max_tokens"] == 33 and "max_completion_tokens" not in body
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert s.requests[0]["headers"]["authorization"] == "Bearer sk-secret-123"


def test_429_then_success_is_retried():
    with ScriptedServer(["429", "500", ("ok", "fine [1].")]) as s:
        g = gen(s.base_url, max_retries=3).generate("r", "q")
    assert g.text == "fine [1]." and len(s.requests) == 3


def test_429_beyond_retries_is_one_line_error():
    with ScriptedServer(["429", "429"]) as s, pytest.raises(GeneratorError) as e:
        gen(s.base_url, max_retries=1).generate("r", "q")
    assert "\n" not in str(e.value) and "openai:scripted" in str(e.value) and len(s.requests) == 2


def test_timeout_is_a_generator_error():
    with ScriptedServer([("sleep", 3.0)]) as s, pytest.raises(GeneratorError) as e:
        gen(s.base_url, timeout=0.5, max_retries=0).generate("r", "q")
    assert "Timeout" in str(e.value) or "timed out" in str(e.value).lower()


def test_malformed_json_is_a_generator_error():
    with ScriptedServer(["badjson"]) as s, pytest.raises(GeneratorError) as e:
        gen(s.base_url, max_retries=0).generate("r", "q")
    assert "\n" not in str(e.value)


def test_stream_yields_pieces_then_generation():
    with ScriptedServer([("stream", ["Statins ", "reduce ", "events [2]."])]) as s:
        items = list(gen(s.base_url).stream("r", "q"))
    assert [i for i in items if isinstance(i, str)] == ["Statins ", "reduce ", "events [2]."]
    final = items[-1]
    assert isinstance(final, Generation) and final.text == "Statins reduce events [2]." and final.finish_reason == "stop"
    assert s.requests[0]["body"]["stream"] is True


def test_stream_cut_midway_raises():
    with ScriptedServer([("streamcut", ["Statins ", "reduce "])]) as s:
        got = []
        with pytest.raises(GeneratorError) as e:
            for item in gen(s.base_url, max_retries=0).stream("r", "q"):
                got.append(item)
    assert got[:2] == ["Statins ", "reduce "]
    assert "cut" in str(e.value) or "without a finish reason" in str(e.value)


def test_unreachable_server_is_clear_and_key_never_shown(monkeypatch):
    monkeypatch.setenv("MEDCITE_TEST_KEY", "sk-very-secret-999")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    url = f"http://127.0.0.1:{port}/v1"
    with pytest.raises(GeneratorError) as e:
        gen(url, max_retries=0, timeout=2).generate("r", "q")
    msg = str(e.value)
    assert "Connection" in msg and url in msg and "sk-very-secret-999" not in msg and "\n" not in msg


def test_openai_needs_a_model_name():
    with pytest.raises(GeneratorError):
        make_generator("openai", model=None, base_url="http://127.0.0.1:1/v1")
