"""One service per database: a second `run` on the same file would send every alert twice."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from bot.errors import StoreError


class RunLock:
    """An exclusive advisory lock on `<database>.lock`, released when the process ends."""

    def __init__(self, database_path: Path) -> None:
        self.path = Path(f"{database_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise StoreError saying another instance runs."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreError(
                f"another ceasefire-alerts is already running on {self.path.with_suffix('')}; "
                "stop it first (two pollers would send every alert twice)"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
