"""llama.cpp paths with the packaged Gemma GGUF: the in-process ``llamacpp`` generator, and the
``openai`` generator against a real ``python -m llama_cpp.server`` on 127.0.0.1."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.llamacpp
pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install '.[llamacpp]')")

from medcite.answer.generative import GenerativeAnswerer
from medcite.answer.generators import make_generator
from medcite.answer.generators.base import Generation
from medcite.answer.citations import MARKER, _numbers
from medcite.config import Settings
from medcite.embedding import get_embedder
from medcite.service import Medcite


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="module")
def llama_server(gemma_gguf, tmp_path_factory):
    """A real llama.cpp OpenAI-compatible server serving the Gemma GGUF; yields its base URL."""
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] extras are not installed")
    port = _free_port()
    log = open(tmp_path_factory.mktemp("llama") / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gemma_gguf), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "2048", "--model_alias", "gemma"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {proc.returncode}; see {log.name}")
        try:
            urllib.request.urlopen(url + "/v1/models", timeout=2).read()
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail("llama_cpp.server did not start within 120 s")
    yield url + "/v1"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_in_process_llamacpp_counts_prompt_tokens_exactly(gemma_gguf):
    gen = make_generator("llamacpp", str(gemma_gguf), context_tokens=1024, max_tokens=16)
    assert gen.exact_count and gen.context_tokens == 1024
    n = gen.count("Answer from the sources.", "Sources:\n\n[1] Metformin lowers glucose.\n\nQuestion: Does metformin lower glucose?")
    g = gen.generate("Answer from the sources.", "Sources:\n\n[1] Metformin lowers glucose.\n\nQuestion: Does metformin lower glucose?", max_tokens=16)
    assert g.tokens_in == n and 0 < g.tokens_out <= 16
    pieces = list(gen.stream("Answer from the sources.", "Sources:\n\n[1] Statins reduce events.\n\nQuestion: Do statins help?", max_tokens=12))
    assert isinstance(pieces[-1], Generation) and pieces[-1].text == "".join(p for p in pieces[:-1] if isinstance(p, str)).strip()


def test_openai_path_against_real_llama_server_keeps_only_valid_citations(llama_server, index20, pubmedqa20):
    qs, _ = pubmedqa20
    svc = Medcite(Settings(index=str(index20)), embedder=get_embedder("e5-small"))
    gen = make_generator("openai", "gemma", base_url=llama_server, context_tokens=2048, max_tokens=64, timeout=120)
    answerer = GenerativeAnswerer(gen, svc.embedder_for_index(), max_tokens=64)
    ans = svc.ask(qs[3]["question"], answerer, top_k=1)  # one source: any [2], [3] … must go
    raw = ans.extra.get("raw_answer", "")
    bad = sum(1 for m in MARKER.finditer(raw) for n in _numbers(m.group(1)) if n != 1)
    assert ans.extra["guard"]["removed_markers"] >= bad
    assert ans.extra["tokens_in"] and ans.extra["tokens_out"]
    assert len(ans.references) <= 1
    assert all(int(x) == 1 for x in re.findall(r"\[(\d+)\]", ans.answer))
    assert all(s.citations in ([], [1]) for s in ans.sentences)


def test_streaming_from_real_llama_server(llama_server):
    gen = make_generator("openai", "gemma", base_url=llama_server, context_tokens=2048, max_tokens=24, timeout=120)
    items = list(gen.stream("Answer briefly.", "Question: What organ does hepatitis affect?"))
    final = items[-1]
    assert isinstance(final, Generation) and final.finish_reason in ("stop", "length")
    assert final.text == "".join(i for i in items[:-1] if isinstance(i, str)).strip()


def test_base_model_answer_is_not_cut_at_its_opening_blank_line(gemma_gguf):
    """Gemma 270M (base) opens this completion with "\\n\\n"; llama.cpp's own stop list would
    return an empty answer (seen on every PubMedQA question before the stops moved into medcite)."""
    gen = make_generator("llamacpp", model=str(gemma_gguf), max_tokens=24)
    out = gen.generate("Answer the question using the numbered sources. Cite like [1].",
                       "Sources:\n\n[1] Aspirin reduced the risk of ischemic stroke by 20% in a trial of 10,000 adults.\n\n"
                       "Question: Does aspirin reduce stroke risk?")
    assert out.text.strip() and out.tokens_out > 1
    assert "\n\n" not in out.text.strip()
    streamed = "".join(p for p in gen.stream("Answer the question using the numbered sources. Cite like [1].",
                                  "Sources:\n\n[1] Aspirin reduced the risk of ischemic stroke by 20% in a trial of 10,000 adults.\n\n"
                                  "Question: Does aspirin reduce stroke risk?") if isinstance(p, str))
    assert streamed.strip() == out.text.strip()

