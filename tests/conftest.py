"""Fixtures shared by every layer of the suite.

The real amendment history lives beside the repository in ../shared/corpus; a user's clone
does not have it, so tests that read it skip with a reason, except in CI (CI=true), where
its absence is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO_ROOT.parent / "shared" / "corpus"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_or_skip(available: bool, reason: str) -> None:
    """Skip a test whose resource is missing, or fail it when CI demands the resource."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"mandatory in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The Contributor Covenant history (v1.0 ... v2.0 and translations of v1.4)."""
    covenant = CORPUS_DIR / "contributor-covenant"
    require_or_skip(covenant.is_dir(), f"the shared corpus is absent ({covenant})")
    return covenant
