"""What both benchmarks share: which code they measured, and how a goal reads."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def code_version(patterns: tuple[str, ...]) -> str:
    """The code measured: git HEAD, whether telesales/ or config/ differ from it, and a hash
    of the files on the measured path as they are now (others may be editing them)."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--", "telesales", "config"],
        capture_output=True,
        text=True,
    )
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    state = "+uncommitted changes" if dirty.stdout.strip() else ""
    return f"{head.stdout.strip() or 'unknown'}{state}, files {digest.hexdigest()[:10]}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"
