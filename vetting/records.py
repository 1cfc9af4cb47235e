"""A registry folder's files: where the folder is, and reading its two files into records.

A registry is a folder holding `units.yaml` and `allegations.yaml`. It is the
folder given with `--data`, else the one in env `VET_DATA`, else the registry
bundled with the package. Reading checks YAML and schema; `checks` checks the
records against each other, and `registry` indexes them for verdicts.
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from vetting import loader
from vetting.codes import Code, Finding, clip
from vetting.model import (
    PARENT_AND_PARENTS,
    Allegation,
    AllegationsFile,
    Person,
    Source,
    Unit,
    UnitsFile,
)

UNITS_FILE = "units.yaml"
ALLEGATIONS_FILE = "allegations.yaml"

# Each file's top-level lists and the record model of their items.
LAYOUT: dict[str, dict[str, type[BaseModel]]] = {
    UNITS_FILE: {"units": Unit, "people": Person},
    ALLEGATIONS_FILE: {"sources": Source, "allegations": Allegation},
}
FILE_MODELS: dict[str, type[BaseModel]] = {
    UNITS_FILE: UnitsFile,
    ALLEGATIONS_FILE: AllegationsFile,
}


def bundled() -> Path:
    """The registry shipped with the package (or the source tree's `data/`)."""
    packaged = Path(str(resources.files("vetting"))) / "data"
    if (packaged / UNITS_FILE).is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


def locate(data: Path | None = None) -> Path:
    """The registry folder in use: `data`, else env VET_DATA, else the bundled one."""
    if data is not None:
        return data
    env = os.environ.get("VET_DATA")
    return Path(env) if env else bundled()


@dataclass
class Records:
    """A registry as read: each valid record with its index in its file's list.

    Records that failed the schema are left out; `claimed_ids` still holds
    their ids, so a reference to a record with a typo in another field is not
    also reported as unknown.
    """

    folder: Path
    documents: dict[str, loader.Document] = field(default_factory=dict)
    units: list[tuple[int, Unit]] = field(default_factory=list)
    people: list[tuple[int, Person]] = field(default_factory=list)
    sources: list[tuple[int, Source]] = field(default_factory=list)
    allegations: list[tuple[int, Allegation]] = field(default_factory=list)
    claimed_ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    digest: str = ""
    digest_parts: list[tuple[str, str]] = field(default_factory=list, repr=False)

    def path(self, filename: str) -> str:
        document = self.documents.get(filename)
        return document.path if document else str(self.folder / filename)

    def finding(
        self, filename: str, loc: tuple[str | int, ...], code: Code, message: str,
        *, key: bool = False,
    ) -> Finding:
        """A finding at the position of `loc` in one of the two files."""
        document = self.documents.get(filename)
        line, col = document.position(loc, key=key) if document else (1, 1)
        return Finding(self.path(filename), line, col, code, message)


_TYPE_ERRORS = {
    "string_type": "expected text",
    "list_type": "expected a list",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "dict_type": "expected a mapping",
    "int_type": "expected a whole number",
    "bool_type": "expected true or false",
}
_PATTERN_HINTS = {
    "country": "expected an ISO 3166-1 alpha-2 country code in capitals, such as MX",
}
_ID_HINT = "expected an id: lowercase letters a-z, digits and hyphens, such as mx-sedena-bi-102"


def _schema_finding(
    records: Records, filename: str, prefix: tuple[str | int, ...], error: Any,
    model: type[BaseModel],
) -> Finding:
    loc = (*prefix, *error["loc"])
    kind = error["type"]
    named = next((step for step in reversed(error["loc"]) if isinstance(step, str)), "")
    where = ".".join(str(step) for step in error["loc"]) or "record"
    if kind == "missing":
        return records.finding(
            filename, loc[:-1], Code.MISSING_KEY, f"missing required key {clip(named)}"
        )
    if kind == "extra_forbidden":
        known = _fields_at(model, error["loc"][:-1])
        close = difflib.get_close_matches(str(named), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return records.finding(
            filename, loc, Code.UNKNOWN_KEY, f"unknown key {clip(named)}{hint}", key=True
        )
    if kind in _TYPE_ERRORS:
        return records.finding(filename, loc, Code.WRONG_TYPE, f"{where}: {_TYPE_ERRORS[kind]}")
    if kind == PARENT_AND_PARENTS:
        return records.finding(filename, loc, Code.BAD_VALUE, error["msg"], key=True)
    if isinstance(error["input"], dict | list) and kind not in ("too_short", "too_long"):
        # A mapping or list where one value belongs (a choice, an id, a date).
        return records.finding(filename, loc, Code.WRONG_TYPE, f"{where}: expected one value")
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(named, _ID_HINT)
        message = f"{where}: {clip(error['input'])} is not valid: {hint}"
    else:
        shown = error["input"]
        message = f"{where}: {clip(shown)}: {error['msg']}" if not isinstance(
            shown, dict | list
        ) else f"{where}: {error['msg']}"
    return records.finding(filename, loc, Code.BAD_VALUE, message)


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names of the (nested) model that `loc` points into."""
    current: Any = model
    for step in loc:
        if isinstance(step, int):
            continue
        info = getattr(current, "model_fields", {}).get(step)
        if info is None:
            return []
        annotation = info.annotation
        inner = [
            arg for arg in getattr(annotation, "__args__", (annotation,))
            if isinstance(arg, type) and issubclass(arg, BaseModel)
        ]
        current = inner[0] if inner else annotation
    return list(getattr(current, "model_fields", {}))


def _read_file(records: Records, filename: str, max_bytes: int) -> list[Finding]:
    path = records.folder / filename
    text, problem = loader.read_text(path, max_bytes)
    if text is None:
        assert problem is not None
        return [problem]
    return _read_text(records, filename, text)


def _read_text(records: Records, filename: str, text: str) -> list[Finding]:
    path = records.folder / filename
    records.digest_parts.append((filename, text))
    document, findings = loader.parse(text, str(path))
    if document is None:
        return findings
    records.documents[filename] = document
    data = document.data
    layout = LAYOUT[filename]
    if data is None:
        keys = ", ".join(f"`{name}: []`" for name in layout)
        return [*findings, records.finding(
            filename, (), Code.EMPTY_FILE, f"the file holds no data; write {keys} if it is "
            "meant to be empty",
        )]
    if not isinstance(data, dict):
        expected = " and ".join(repr(name) for name in layout)
        return [*findings, records.finding(
            filename, (), Code.WRONG_TYPE, f"expected a mapping with the keys {expected}"
        )]
    for key in data:
        if key not in layout:
            close = difflib.get_close_matches(str(key), list(layout), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            findings.append(records.finding(
                filename, (key,), Code.UNKNOWN_KEY, f"unknown key {clip(key)}{hint}", key=True
            ))
    for section, model in layout.items():
        items = data.get(section)
        if items is None:
            continue
        if not isinstance(items, list):
            findings.append(records.finding(
                filename, (section,), Code.WRONG_TYPE, f"{section}: expected a list"
            ))
            continue
        kept: list[tuple[int, Any]] = getattr(records, section)
        for index, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                records.claimed_ids[section].add(item["id"])
            try:
                kept.append((index, model.model_validate(item)))
            except ValidationError as error:
                findings.extend(
                    _schema_finding(records, filename, (section, index), detail, model)
                    for detail in error.errors(include_url=False)
                )
    return findings


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector while a registry is read.

    Reading builds millions of small containers and no reference cycles, so the
    collector, run after every few hundred allocations, would walk the growing
    heap again and again for nothing: a 39 MB registry reads in a third of the
    time without it. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def require_folder(folder: Path) -> None:
    """UnreadableError unless `folder` is a folder holding both registry files."""
    if not folder.is_dir():
        raise loader.UnreadableError(f"{folder}: not a folder holding {UNITS_FILE} and "
                                     f"{ALLEGATIONS_FILE}")
    missing = [name for name in LAYOUT if not os.path.lexists(folder / name)]
    if missing:
        raise loader.UnreadableError(
            f"{folder}: not a registry folder: {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing"
        )


def read(folder: Path, max_bytes: int | None = None) -> tuple[Records, list[Finding]]:
    """Read a registry folder into records and the findings of reading and schema.

    Raises loader.UnreadableError when either file cannot be read at all.
    """
    require_folder(folder)
    limit = max_bytes if max_bytes is not None else loader.max_bytes_from_env()
    records = Records(folder)
    findings: list[Finding] = []
    with gc_paused():
        for filename in LAYOUT:
            findings.extend(_read_file(records, filename, limit))
    records.digest = _digest(records.digest_parts)
    records.digest_parts.clear()
    return records, findings


def read_texts(folder: Path, texts: dict[str, str]) -> tuple[Records, list[Finding]]:
    """Read a registry whose two files' texts are at hand (such as a git revision's).

    `folder` is where the files would be (findings name `folder/units.yaml`);
    `texts` holds the text of each file of LAYOUT.
    """
    records = Records(folder)
    findings: list[Finding] = []
    with gc_paused():
        for filename in LAYOUT:
            findings.extend(_read_text(records, filename, texts[filename]))
    records.digest = _digest(records.digest_parts)
    records.digest_parts.clear()
    return records, findings


def digest_of(texts: dict[str, str]) -> str:
    """The digest `read` gives a registry whose files hold these texts."""
    return _digest((filename, texts[filename]) for filename in LAYOUT)


def _digest(parts: Iterable[tuple[str, str]]) -> str:
    # Over the text with line endings folded, so a CRLF checkout gives the same digest.
    sha = hashlib.sha256()
    for name, text in parts:
        body = text.replace("\r\n", "\n").encode("utf-8")
        sha.update(f"{name}\0{len(body)}\0".encode())
        sha.update(body)
    return "sha256:" + sha.hexdigest()
