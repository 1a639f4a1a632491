"""Early warning for dependency releases: the newest versions ``pyproject.toml`` allows, in a
throwaway virtualenv, against the quick tests, with a short report.

Run it before ``make lock`` refreshes ``requirements/*.lock``::

    make check-upgrades                      # or:
    python3 scripts/check_upgrades.py --extras test,fast,bench,ray,llamacpp --lock requirements/test.lock

Steps: a new venv in a temporary directory; ``pip install -e ".[EXTRAS]"`` with ``--upgrade``
(no lock: pip resolves the newest versions the ranges allow, as a new user installing medcite
as a library gets); ``pip freeze`` compared with the lock (packages upgraded, downgraded, added,
dropped); the quick test subset (``-m "not slow and not llamacpp and not ray and not browser"``
unless ``--pytest-args`` says otherwise) run with that venv; then a Markdown report on stdout and
in ``results/upgrade-report.md``. Exit code 0 when the tests pass on the newest versions, 1 when
some fail (the report names them), 2 when the install itself fails.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUICK = 'not slow and not llamacpp and not ray and not browser'
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)")


def canon(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    """``name → version`` of every ``name==version`` line (a lock or ``pip freeze`` output)."""
    out = {}
    for line in text.splitlines():
        m = PIN.match(line.strip())
        if m:
            out[canon(m.group(1))] = m.group(2)
    return out


def compare(locked: dict[str, str], newest: dict[str, str]) -> list[tuple[str, str, str]]:
    """``(name, locked version or "-", newest version or "-")`` for every package that differs."""
    names = sorted(set(locked) | set(newest))
    return [(n, locked.get(n, "-"), newest.get(n, "-")) for n in names if locked.get(n) != newest.get(n) and n != "medcite"]


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, text=True, capture_output=True, **kw)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--extras", default="test,fast,bench,ray,llamacpp", help="comma-separated extras to install")
    ap.add_argument("--lock", default=str(REPO / "requirements" / "test.lock"), help="the lock to compare against")
    ap.add_argument("--pytest-args", default=f'-q -m "{QUICK}"', help="arguments for pytest (default: the quick subset)")
    ap.add_argument("--report", default=str(REPO / "results" / "upgrade-report.md"), help="where to write the report")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="medcite-upgrades-") as tmp:
        venv = Path(tmp) / "venv"
        py = venv / "bin" / "python"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        inst = run([str(py), "-m", "pip", "install", "--quiet", "--upgrade", "--no-compile",
                    "--upgrade-strategy", "eager", "-e", f".[{args.extras}]"], cwd=REPO, env=env)
        if inst.returncode:
            tail = "\n".join(inst.stderr.strip().splitlines()[-15:])
            print(f"# check-upgrades\n\ninstall of the newest allowed versions FAILED:\n\n```\n{tail}\n```")
            return 2
        t_install = time.perf_counter() - t0
        newest = pins(run([str(py), "-m", "pip", "freeze", "--all", "--exclude", "pip"], env=env).stdout)
        locked = pins(Path(args.lock).read_text(encoding="utf-8"))
        diff = compare(locked, newest)
        t1 = time.perf_counter()
        tests = subprocess.run(f"{py} -m pytest {args.pytest_args} -p no:cacheprovider", shell=True, cwd=REPO,
                               env=env, text=True, capture_output=True)
        t_tests = time.perf_counter() - t1

    lines = tests.stdout.strip().splitlines()
    summary = lines[-1] if lines else "(no pytest output)"
    failed = [ln for ln in lines if ln.startswith(("FAILED", "ERROR"))]
    report = [
        "# check-upgrades",
        "",
        f"Newest versions allowed by pyproject.toml (extras: {args.extras}) against {Path(args.lock).name}: "
        f"install {t_install:.0f} s, tests {t_tests:.0f} s.",
        "",
        f"## Packages that would change ({len(diff)})",
        "",
        "| package | locked | newest allowed |",
        "|---|---|---|",
        *[f"| {n} | {a} | {b} |" for n, a, b in diff],
        "",
        f"## Tests ({args.pytest_args})",
        "",
        summary,
        *(["", "Failed:", *[f"- {f}" for f in failed]] if failed else []),
        "",
        "Verdict: " + ("the newest versions pass; `make lock` can take them." if tests.returncode == 0
                      else "do NOT refresh the lock until the failures above are fixed or the ranges exclude the breaking release."),
    ]
    text = "\n".join(report) + "\n"
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(text, encoding="utf-8")
    print(text)
    return 0 if tests.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
