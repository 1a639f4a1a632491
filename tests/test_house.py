"""The package keeps its house rules (scripts/check_imports.py): no import cycles, no module over 500 lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_imports.py"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def test_package_has_no_import_cycles_and_no_long_modules():
    res = _run()
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 problem(s)" in res.stdout


def test_checker_finds_circles_hidden_in_functions_and_long_modules(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from ..a import x\n")  # a lazy import still closes the circle
    (pkg / "c.py").write_text("import pkg.d\n")
    (pkg / "d.py").write_text("from pkg import e\n")
    (pkg / "e.py").write_text("from . import c\n" + "x = 1\n" * 30)
    res = _run("--package-dir", str(pkg), "--max-lines", "20")
    assert res.returncode == 1
    assert "import circle: pkg.a <-> pkg.sub.b" in res.stdout
    assert "import cycle of 3 modules: pkg.c <-> pkg.d <-> pkg.e" in res.stdout
    assert "over 20 lines: pkg.e (31)" in res.stdout
