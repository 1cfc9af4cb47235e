"""Safe YAML reading that remembers where every value stood.

The registry is plain data, so this reader builds plain Python values straight
from the parser's events instead of using a YAML constructor: no tag can run
code, aliases are refused (no alias bomb can expand), nesting is bounded (the
C composer recurses and would crash the interpreter on deep input), duplicate
keys are reported instead of silently dropped, and each mapping entry and list
item keeps its 1-based line and column so later checks can point at it.

Plain scalars are read with YAML 1.2 core rules (so `NO` stays the text "NO"),
and timestamps are left as text for the partial-date type to read.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vetting.codes import Code, Finding, clip

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 32

try:  # libyaml's parser when it is there; the pure-Python one otherwise
    _Parser: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Parser = yaml.SafeLoader

_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL: dict[str, Any] = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True,
    "false": False, "False": False, "FALSE": False,
    ".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan"),
}
_CORE = "tag:yaml.org,2002:"
_STR = _CORE + "str"
_COLLECTION_TAGS = {None, "!"}
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"


def max_bytes_from_env() -> int:
    """The size limit: env `VET_MAX_BYTES`, else the default; UnreadableError when malformed."""
    raw = os.environ.get("VET_MAX_BYTES", "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise UnreadableError(
            f"VET_MAX_BYTES={clip(raw)}: expected a whole number of bytes, at least 1"
        )
    return int(raw)


class UnreadableError(Exception):
    """The path cannot be read at all (missing, a folder, no permission)."""


@dataclass(slots=True)
class Positions:
    """Where the entries of one mapping or list stood: (line, col) pairs, 1-based."""

    start: tuple[int, int]
    keys: dict[Any, tuple[int, int]] = field(default_factory=dict)
    values: dict[Any, tuple[int, int]] = field(default_factory=dict)


@dataclass
class Document:
    """One YAML file, read: its data and the positions of its parts."""

    path: str
    data: Any
    positions: dict[int, Positions]

    def position(self, loc: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """The line and column of the value at `loc`, or of its key when `key` is set.

        When the path runs out (a missing key), the nearest enclosing mapping's
        position is returned, which is where the key should have been.
        """
        node = self.data
        best = (1, 1)
        for index, step in enumerate(loc):
            where = self.positions.get(id(node))
            if where is None:
                break
            best = where.start
            last = index == len(loc) - 1
            table = where.keys if (key and last) else where.values
            if step in table:
                best = table[step]
            else:
                break
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                break
        return best


class _Abort(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding


@dataclass
class _Frame:
    container: dict[Any, Any] | list[Any]
    positions: Positions
    pending_key: Any = None
    has_key: bool = False


def _scalar(event: Any, path: str) -> Any:
    value: str = event.value
    tag = event.tag
    if tag not in (None, "!", _STR):  # the registry needs no other tag; none may build anything
        raise _Abort(_forbidden_tag(path, event))
    if tag is not None or event.style:  # quoted, block or `!!str`: always text
        return value
    if value in _SPECIAL:
        return _SPECIAL[value]
    if _INT.fullmatch(value):
        return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
    if _FLOAT.fullmatch(value) and any(c.isdigit() for c in value):
        return float(value)
    return value


def _finding(path: str, event: Any, code: Code, message: str) -> Finding:
    mark = event.start_mark
    return Finding(path, mark.line + 1, mark.column + 1, code, message)


def _forbidden_tag(path: str, event: Any) -> Finding:
    return _finding(path, event, Code.FORBIDDEN_TAG, f"tag {clip(event.tag)} is not allowed")


def _build(events: Iterator[Any], path: str, findings: list[Finding]) -> Any:
    """Build plain values from parser events, recording positions as it goes."""
    positions: dict[int, Positions] = {}
    stack: list[_Frame] = []
    root: Any = None
    documents = 0

    def attach(value: Any, event: Any) -> None:
        nonlocal root
        where = (event.start_mark.line + 1, event.start_mark.column + 1)
        if not stack:
            root = value
            return
        frame = stack[-1]
        container = frame.container
        if isinstance(container, list):
            frame.positions.values[len(container)] = where
            container.append(value)
        elif not frame.has_key:
            if isinstance(value, dict | list):
                raise _Abort(_finding(path, event, Code.COMPLEX_KEY, "a mapping key must be text"))
            if value in container:
                first = frame.positions.keys[value]
                findings.append(
                    _finding(
                        path, event, Code.DUPLICATE_KEY,
                        f"duplicate key {clip(value)} (first at line {first[0]})",
                    )
                )
            frame.pending_key = value
            frame.has_key = True
            if value not in frame.positions.keys:
                frame.positions.keys[value] = where
        else:
            key = frame.pending_key
            frame.has_key = False
            if key not in container:  # on a duplicate, the first value stands
                container[key] = value
                frame.positions.values[key] = where

    for event in events:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            value = _scalar(event, path)
            top = stack[-1] if stack else None
            if top is not None and not top.has_key and isinstance(top.container, dict):
                value = event.value  # a key is text as written: `1:` and `true:` differ
            attach(value, event)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.tag not in _COLLECTION_TAGS:
                raise _Abort(_forbidden_tag(path, event))
            if len(stack) >= MAX_DEPTH:
                raise _Abort(
                    _finding(path, event, Code.TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels")
                )
            container: dict[Any, Any] | list[Any] = (
                {} if kind is yaml.MappingStartEvent else []
            )
            where = Positions((event.start_mark.line + 1, event.start_mark.column + 1))
            positions[id(container)] = where
            attach(container, event)
            stack.append(_Frame(container, where))
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
        elif kind is yaml.AliasEvent:
            raise _Abort(
                _finding(path, event, Code.ALIAS, f"alias *{clip(event.anchor)} is not allowed")
            )
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Abort(
                    _finding(
                        path, event, Code.MULTIPLE_DOCUMENTS,
                        "more than one YAML document; a registry file holds one",
                    )
                )
    return root, positions


def _decode(raw: bytes, path: str) -> tuple[str | None, Finding | None]:
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, Finding(
            path, line, col, Code.ENCODING,
            f"byte 0x{raw[error.start]:02x} is not valid UTF-8; save the file as UTF-8",
        )


_CHUNK = 1 << 20


def read_text(path: Path, max_bytes: int) -> tuple[str | None, Finding | None]:
    """Read a file as UTF-8 within the size limit; raise UnreadableError if it can't be read.

    Only regular files are opened (a FIFO would block, a device never end), and
    the file is read in chunks, so no more than the limit plus a chunk is ever
    held, whatever the limit or the file's claimed size.
    """
    shown = str(path)
    chunks: list[bytes] = []
    size = 0
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise UnreadableError(f"{shown}: not a regular file")
        with path.open("rb") as handle:
            while size <= max_bytes and (chunk := handle.read(_CHUNK)):
                chunks.append(chunk)
                size += len(chunk)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UnreadableError(f"{shown}: cannot read: {reason}") from None
    if size > max_bytes:
        return None, Finding(
            shown, 1, 1, Code.TOO_LARGE,
            f"file is larger than the limit of {max_bytes:,} bytes "
            "(raise it with --max-bytes or VET_MAX_BYTES)",
        )
    return _decode(b"".join(chunks), shown)


def _too_deep(text: str, path: str, error: yaml.MarkedYAMLError) -> Finding:
    """VET105 for input libyaml refused as too deeply nested.

    libyaml (from PyYAML 6.0.3's wheels) stops at 1,000 levels while scanning
    ahead, before vet's own check has seen the events of level 33. The
    pure-Python parser reads lazily, so it is asked again for the events: it
    stops at the first level too deep, where vet's check reports it, having
    read only that far.
    """
    try:
        _build(yaml.parse(text, Loader=yaml.SafeLoader), path, [])
    except _Abort as abort:
        if abort.finding.code is Code.TOO_DEEP:
            return abort.finding
    except yaml.YAMLError:
        pass
    mark = error.problem_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Finding(path, line, col, Code.TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels")


def parse(text: str, path: str) -> tuple[Document | None, list[Finding]]:
    """Parse YAML text into a Document; findings say what was wrong."""
    findings: list[Finding] = []
    try:
        data, positions = _build(yaml.parse(text, Loader=_Parser), path, findings)
    except _Abort as abort:
        return None, [*findings, abort.finding]
    except yaml.MarkedYAMLError as error:
        if error.problem == _LIBYAML_TOO_DEEP:
            return None, [*findings, _too_deep(text, path, error)]
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or error.context or "invalid YAML"
        return None, [*findings, Finding(path, line, col, Code.YAML_SYNTAX, problem)]
    except yaml.reader.ReaderError as error:  # a control character the YAML spec forbids
        before = text[: error.position]
        line, col = before.count("\n") + 1, error.position - (before.rfind("\n") + 1) + 1
        message = f"character {error.character!r} is not allowed in YAML"
        return None, [*findings, Finding(path, line, col, Code.YAML_SYNTAX, message)]
    except yaml.YAMLError as error:
        return None, [*findings, Finding(path, 1, 1, Code.YAML_SYNTAX, clip(str(error), 200))]
    return Document(path, data, positions), findings


def load(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Document | None, list[Finding]]:
    """Read and parse one YAML file. Raises UnreadableError when the path can't be read."""
    text, problem = read_text(path, max_bytes)
    if text is None:
        assert problem is not None
        return None, [problem]
    return parse(text, str(path))
