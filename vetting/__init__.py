"""vet: Leahy vetting of foreign security-force units and people against a cited registry."""

# functools, not `from functools import cache`: that name would hide vetting.cache.
import functools


@functools.cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("vet")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0.0.0"


def __getattr__(name: str) -> str:
    # Looked up on demand: reading package metadata costs every start ~40 ms.
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
