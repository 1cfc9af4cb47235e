"""Vocabulary derived from libraries, kept on disk so that a query does not derive it again.

Countries' names (pycountry, five languages), states (ISO 3166-2) and number
words (num2words, five languages) take longer to derive than a whole `vet
unit` query takes to answer, and they change only with the vocabulary files
and the libraries. `vetting.names` derives them once, stores them here as JSON
(never pickle: nothing read can run code) in the cache folder (env
`VET_CACHE_DIR`, else `$XDG_CACHE_HOME/vet`, else `~/.cache/vet`, as the
compiled registry cache), under a name that is the digest of everything they
are derived from, and reads them back on later runs. A missing, unreadable or
malformed file is derived again; a folder that cannot be written means no file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

FORMAT = 1  # bump when the layout of the stored tables changes


def _folder() -> Path:
    # The same folder as the compiled registry cache (vetting/cache.py `folder`), which
    # this module cannot import: cache.py reads names through the registry.
    chosen = os.environ.get("VET_CACHE_DIR")
    if chosen:
        return Path(chosen).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "vet"
    return Path.home() / ".cache" / "vet"


def digest(sources: Iterable[bytes], libraries: Iterable[str]) -> str:
    """The name of the stored tables: their sources' bytes and the libraries' versions."""
    sha = hashlib.sha256(f"format {FORMAT}".encode())
    for source in sources:
        sha.update(len(source).to_bytes(8, "big") + source)
    for library in libraries:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "?"
        sha.update(f"\0{library}={version}".encode())
    return sha.hexdigest()[:32]


def tables(name: str, derive: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The tables stored under `name`, or `derive()`'s, then stored."""
    path = _folder() / f"vocabulary-{name}.json"
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(path.read_text("utf-8"))
        if isinstance(data, dict) and data.get("format") == FORMAT:
            return data
    data = {"format": FORMAT, **derive()}
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vocabulary-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, ensure_ascii=False)
            os.replace(temporary, path)
            for other in path.parent.glob("vocabulary-*.json"):
                if other != path:  # derived from a vocabulary or library since changed
                    other.unlink(missing_ok=True)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return data
