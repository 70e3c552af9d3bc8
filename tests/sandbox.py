"""Real storage failures for a subprocess: a read-only folder and a full disk (tmpfs), via a user namespace.

Root ignores file modes, so a read-only folder is a read-only bind mount; a full disk is a small tmpfs
filled to the last byte. Both live in a private mount namespace (``unshare -rm``) that dies with the
command, so nothing on the machine is changed. Without user namespaces a non-root user still gets the
read-only folder through file modes; the full disk is then skipped.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import stat
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest


@functools.cache
def namespaces() -> bool:
    """Whether ``unshare -rm`` can mount here (unprivileged user namespaces)."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def _run(script: str, command: Sequence[str], env: dict[str, str], cwd: Path, stdin: str | None,
         ) -> subprocess.CompletedProcess[str]:
    line = f"{script} && exec {shlex.join(command)}"
    return subprocess.run(["unshare", "-rm", "sh", "-c", line], env=env, cwd=cwd, text=True, capture_output=True,
                          input=stdin, timeout=180, start_new_session=True)


def run_read_only(folder: Path, command: Sequence[str], *, env: dict[str, str], cwd: Path,
                  stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with ``folder`` (and everything in it) read-only."""
    if namespaces():
        quoted = shlex.quote(str(folder))
        return _run(f"mount --bind {quoted} {quoted} && mount -o remount,bind,ro {quoted}", command, env, cwd, stdin)
    if os.geteuid() == 0:
        pytest.skip("root without user namespaces: no way to make a folder read-only")
    modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
    for path, mode in modes.items():
        os.chmod(path, mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        return subprocess.run(list(command), env=env, cwd=cwd, text=True, capture_output=True, input=stdin,
                              timeout=180, start_new_session=True)
    finally:
        for path, mode in modes.items():
            os.chmod(path, mode)


def run_on_full_disk(folder: Path, command: Sequence[str], *, env: dict[str, str], cwd: Path,
                     stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with ``folder`` on a small disk with no room left (its files copied there first).

    What the command writes into ``folder`` is lost with the namespace; ``folder`` itself is untouched.
    """
    if not namespaces():
        pytest.skip("no user namespaces here: a full disk cannot be made without privileges")
    quoted = shlex.quote(str(folder))
    stash = shlex.quote(str(folder) + ".stash")
    script = (f"cp -a {quoted} {stash} && mount -t tmpfs -o size=4m tmpfs {quoted} && cp -a {stash}/. {quoted} && "
              f"rm -rf {stash} && (dd if=/dev/zero of={quoted}/.filler bs=4k 2>/dev/null || true)")
    return _run(script, command, env, cwd, stdin)
