"""The installer: build_installer.spec builds a one-folder bundle that starts in training mode without Python.

The build takes about three minutes on a loaded two-core machine, mostly on one core, so ``make test`` (and
with it CI) runs it beside the rest of the suite: ``POSDESK_INSTALLER_TEST=1 pytest -m installer``; a plain
``pytest`` skips it. ``make installer-test`` runs it alone. The check that the spec keeps exactly the Qt
modules the code imports is fast and always runs.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "build_installer.spec"
OPT_IN = "POSDESK_INSTALLER_TEST"


def spec_list(name: str) -> list[str]:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == name for t in node.targets):
            return [str(ast.literal_eval(e)) for e in node.value.elts]  # type: ignore[attr-defined]
    raise AssertionError(f"{name} not in the spec")


def imported_qt_modules() -> set[str]:
    found: set[str] = set()
    for folder in ("desktop", "offline_cache", "training_platform"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(re.findall(r"(?:from|import) PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    return found


def test_the_spec_keeps_exactly_the_qt_modules_the_code_imports() -> None:
    kept, dropped = set(spec_list("QT_MODULES")), set(spec_list("UNUSED_QT"))
    assert kept == imported_qt_modules()
    assert not kept & dropped and "QtTest" in dropped and "QtQml" in dropped


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.mark.installer
@pytest.mark.timeout(1800)
@pytest.mark.skipif(os.environ.get(OPT_IN) != "1", reason=f"the bundle build takes minutes: set {OPT_IN}=1")
def test_bundle_builds_and_starts_in_training_mode_without_python(tmp_path: Path) -> None:
    if shutil.which("pyinstaller", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("PyInstaller is not installed: pip install -e '.[installer]'")
    dist, work = tmp_path / "dist", tmp_path / "build"
    built = time.monotonic()
    subprocess.run([str(Path(sys.executable).parent / "pyinstaller"), "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(SPEC)], cwd=ROOT, check=True, timeout=1200,
                   capture_output=True)
    build_seconds = time.monotonic() - built
    bundle = dist / "posdesk"
    internal = bundle / "_internal"
    assert (internal / "resources" / "catalogues" / "rejection_grounds.json").exists()
    assert (internal / "resources" / "translations").is_dir()
    assert list(internal.rglob("qtbase_ru.qm")) and not list(internal.rglob("qtbase_de.qm"))
    assert list((internal / "pymorphy3_dicts_ru").rglob("*.dawg"))
    assert not list(internal.rglob("libQt6Qml*")) and not list(internal.rglob("libQt6Quick*"))
    shipped = (work / "build_installer" / "PYZ-00.toc").read_text(encoding="utf-8")
    for module in ("'tests.", "'pytest", "'_pytest", "'hypothesis", "'pytestqt", "'PySide6.QtTest"):
        assert module not in shipped, f"{module} is in the bundle"

    home = tmp_path / "home"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "POSDESK_HOME": str(home / "data"),
           "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8", "XDG_RUNTIME_DIR": str(tmp_path)}
    started = time.monotonic()
    run = subprocess.run([str(bundle / "posdesk"), "--smoke"], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=300)
    wall = time.monotonic() - started
    assert run.returncode == 0, run.stderr
    assert "итог: idle" in run.stderr and "Traceback" not in run.stderr
    figures = {"bundle_mb": round(du(bundle) / 2**20, 1), "build_s": round(build_seconds, 1),
               "smoke_wall_s": round(wall, 1), "smoke": run.stderr.strip().splitlines()[-1]}
    print(json.dumps(figures, ensure_ascii=False))
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "installer-figures.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1),
                                                          encoding="utf-8")
