"""Layering: offline_cache and training_platform never import Qt or desktop; the platform uses only the core's rules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "desktop")
#: What the training platform may use from the core: the rules, the contract, resources.
PLATFORM_MAY_USE = ("offline_cache.domain", "offline_cache.contract", "offline_cache.resources")


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def sources(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no sources found in {package}"
    return files


@pytest.mark.parametrize("package", ["offline_cache", "training_platform"])
def test_no_qt_or_desktop_imports(package: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sources(package)
        for name in imports_of(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


def test_training_platform_uses_only_domain_contract_resources() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sources("training_platform")
        for name in imports_of(path)
        if name.startswith("offline_cache") and not name.startswith(PLATFORM_MAY_USE)
    ]
    assert offenders == []


def test_domain_is_pure() -> None:
    """Domain rules do no I/O: no network, database, file or Qt modules."""
    io_modules = ("httpx", "sqlite3", "sqlcipher3", "sqlite_utils", "keyring", "socket", "os", "pathlib",
                  "offline_cache.client", "offline_cache.store", "offline_cache.resources")
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sources("offline_cache/domain")
        for name in imports_of(path)
        if name.startswith(io_modules)
    ]
    assert offenders == []


def test_importing_the_core_and_platform_loads_no_qt() -> None:
    code = (
        "import sys, pkgutil, importlib\n"
        "import offline_cache, training_platform\n"
        "for pkg in (offline_cache, training_platform):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if not m.name.endswith('__main__'):\n"
        "            importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('PySide6', 'shiboken6', 'desktop'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == ""
