"""Attachments: fetched into the encrypted cache; plaintext copies only when the official opens one.

Opening an attachment in an external viewer is an explicit act: it writes one temporary copy in
a private folder (mode 0700) and the copy is deleted when the viewer is done with it, or at the
latest when the session closes. Nothing else ever writes attachment bytes outside the cache.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from offline_cache.client import PlatformClient
from offline_cache.store.cache import Cache

_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def fetch(cache: Cache, client: PlatformClient, att_id: str) -> bytes:
    """The attachment's bytes, from the cache or downloaded into it."""
    data = cache.attachment_data(att_id)
    if data is None:
        _, data = client.download_attachment(att_id)
        cache.store_attachment_data(att_id, data)
    return data


def safe_name(name: str) -> str:
    """A file name without path parts or characters a shell or viewer could trip on."""
    base = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    if not base:
        return "attachment"
    stem, suffix = Path(base).stem, Path(base).suffix[:16]
    return (stem[: 120 - len(suffix)] + suffix) if len(base) > 120 else base  # keep the type: viewers need it


class ExternalCopies:
    """Temporary plaintext copies handed to external viewers, removed on ``release`` or ``close``."""

    def __init__(self) -> None:
        self._dir: Path | None = None
        self._copies: set[Path] = set()

    def open_copy(self, name: str, data: bytes) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="posdesk-view-"))
            os.chmod(self._dir, 0o700)
        folder = Path(tempfile.mkdtemp(dir=self._dir))  # a folder per copy keeps the original file name
        path = folder / safe_name(name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self._copies.add(path)
        return path

    def release(self, path: Path) -> None:
        if path in self._copies:
            self._copies.discard(path)
            shutil.rmtree(path.parent, ignore_errors=True)

    def close(self) -> None:
        for path in list(self._copies):
            self.release(path)
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    @property
    def open_paths(self) -> list[Path]:
        return sorted(self._copies)
