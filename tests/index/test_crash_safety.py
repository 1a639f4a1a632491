"""Kill -9 at every injected point of update and rebuild (scripts/fault_injection.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_kill_9_at_every_write_point_leaves_before_or_after(tmp_path):
    # tmpfs when there is one: kill -9 keeps the page cache either way, and fsync is free there
    shm = Path("/dev/shm")
    work = Path(tempfile.mkdtemp(prefix="medcite-faults-", dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else tmp_path))
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "fault_injection.py"), "--json", "--workdir", str(work), "--records", "8"],
        capture_output=True, text=True, timeout=600,
    )
    assert not work.exists()
    assert proc.stdout.strip(), proc.stderr[-2000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    assert res["failures"] == [], res["failures"]
    assert proc.returncode == 0
    stages = res["stages"]
    assert res["points"] >= 20 and len(stages["update"]) >= 10 and len(stages["rebuild"]) >= 10
    for op in ("update", "rebuild"):
        assert sum(s.startswith("embedding:") for s in stages[op]) >= 2  # several slices
        assert {"copied", "store-written", "manifest", "publish:renamed", "publish:current-tmp", "publish:swapped"} <= set(stages[op])
    # kills before the swap read as the old version, kills after it as the new one
    assert res["before"] > 0 and res["after"] > 0
    for point, outcome in res["outcomes"].items():
        op, stage = point.split("@")
        swapped = stages[op].index(stage) >= stages[op].index("publish:swapped")
        assert outcome == ("after" if swapped else "before"), point
