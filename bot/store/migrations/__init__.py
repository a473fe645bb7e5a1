"""Numbered schema migrations, one folder per backend: `NNNN_name.sql`, applied in order."""

from __future__ import annotations

from importlib import resources


def load_migrations(backend: str) -> tuple[str, ...]:
    """The SQL scripts of a backend in order; a script's number is its schema version."""
    folder = resources.files(__package__) / backend
    scripts = sorted(f for f in folder.iterdir() if f.name.endswith(".sql"))
    numbers = [int(f.name.split("_", 1)[0]) for f in scripts]
    if numbers != list(range(1, len(scripts) + 1)):
        raise RuntimeError(f"{backend} migrations are not numbered 1..n: {numbers}")
    return tuple(f.read_text(encoding="utf-8") for f in scripts)
