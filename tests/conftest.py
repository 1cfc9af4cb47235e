"""Settings for the whole test session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # Commands store compiled registries in the user's cache folder; tests must never
    # write to the real ~/.cache (nor read what a real run left there).
    held = os.environ.get("VET_CACHE_DIR")
    os.environ["VET_CACHE_DIR"] = str(tmp_path_factory.mktemp("vet-cache"))
    yield
    if held is None:
        os.environ.pop("VET_CACHE_DIR", None)
    else:
        os.environ["VET_CACHE_DIR"] = held
