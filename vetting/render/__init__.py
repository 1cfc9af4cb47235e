"""Output formats, one module per format, registered by subject and name.

A subject is what is rendered: `findings` (from `vet validate`), `verdict`
(from `vet unit`/`vet person`), `batch` (from `vet batch`). A renderer writes
one result to a text stream; the CLI picks it by `--format`.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
from collections.abc import Callable
from typing import Any, TextIO

Renderer = Callable[[Any, TextIO], None]

_RENDERERS: dict[str, dict[str, Renderer]] = {}


def renderer(subject: str, name: str) -> Callable[[Renderer], Renderer]:
    """Register the decorated function as the `name` format of `subject`."""

    def register(function: Renderer) -> Renderer:
        _RENDERERS.setdefault(subject, {})[name] = function
        return function

    return register


def _discover() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def formats(subject: str) -> list[str]:
    """The format names registered for a subject, sorted."""
    _discover()
    return sorted(_RENDERERS.get(subject, {}))


def get(subject: str, name: str) -> Renderer:
    """The renderer of `subject` in format `name`; KeyError when there is none."""
    # A format lives in the module of its name, so only that module is imported (rich,
    # for one, costs a JSON answer ~40 ms of start-up).
    if name not in _RENDERERS.get(subject, {}) and name.isidentifier():
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"{__name__}.{name}")
    if name not in _RENDERERS.get(subject, {}):
        _discover()
    return _RENDERERS[subject][name]
