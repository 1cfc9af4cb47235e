"""vet: Leahy vetting of foreign security-force units and people against a cited registry."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("vet")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
