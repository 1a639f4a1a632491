"""scripts/check_upgrades.py: reading pins and reporting what the newest versions change."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_upgrades.py"
spec = importlib.util.spec_from_file_location("check_upgrades", SCRIPT)
check_upgrades = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_upgrades)


def test_pins_read_locks_with_hashes_and_freeze_output():
    lock = "Llama_CPP.python==0.3.36 \\\n    --hash=sha256:abc\n    # via medcite\ntorch==2.13.0+cpu \\\n"
    assert check_upgrades.pins(lock) == {"llama-cpp-python": "0.3.36", "torch": "2.13.0+cpu"}
    assert check_upgrades.pins("-e git+x#egg=medcite\nnumpy==2.3.1\n") == {"numpy": "2.3.1"}


def test_compare_lists_changed_added_and_dropped_packages_only():
    locked = {"a": "1.0", "b": "2.0", "c": "3.0", "medcite": "0.1.0"}
    newest = {"a": "1.0", "b": "2.1", "d": "0.5", "medcite": "0.2.0"}
    assert check_upgrades.compare(locked, newest) == [("b", "2.0", "2.1"), ("c", "3.0", "-"), ("d", "-", "0.5")]


def test_the_lock_pins_every_requirement_with_hashes():
    """requirements/*.lock: every line that pins is `name==version` followed by sha256 hashes."""
    for lock in (SCRIPT.parents[1] / "requirements").glob("*.lock"):
        text = lock.read_text()
        pins = check_upgrades.pins(text)
        assert {"torch", "faiss-cpu", "transformers", "sentence-transformers"} <= set(pins), lock
        assert text.count("==") == len(pins) and text.count("--hash=sha256:") >= len(pins), lock
