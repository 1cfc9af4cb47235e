"""The registry in use: where it is, reading its two files into records, and its indexes.

A registry is a folder holding `units.yaml` and `allegations.yaml`. It is the
folder given with `--data`, else the one in env `VET_DATA`, else the registry
bundled with the package.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from vetting import loader
from vetting.codes import Code, Finding, Level, clip
from vetting.model import Allegation, AllegationsFile, Person, Source, Unit, UnitsFile

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


class RegistryError(Exception):
    """The registry cannot be used: unreadable, or it has errors."""


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


def read(folder: Path, max_bytes: int | None = None) -> tuple[Records, list[Finding]]:
    """Read a registry folder into records and the findings of reading and schema.

    Raises loader.UnreadableError when either file cannot be read at all.
    """
    if not folder.is_dir():
        raise loader.UnreadableError(f"{folder}: not a folder holding {UNITS_FILE} and "
                                     f"{ALLEGATIONS_FILE}")
    missing = [name for name in LAYOUT if not os.path.lexists(folder / name)]
    if missing:
        raise loader.UnreadableError(
            f"{folder}: not a registry folder: {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing"
        )
    limit = max_bytes if max_bytes is not None else loader.max_bytes_from_env()
    records = Records(folder)
    findings: list[Finding] = []
    for filename in LAYOUT:
        findings.extend(_read_file(records, filename, limit))
    records.digest = _digest(records.digest_parts)
    records.digest_parts.clear()
    return records, findings


def _digest(parts: Iterable[tuple[str, str]]) -> str:
    # Over the text with line endings folded, so a CRLF checkout gives the same digest.
    sha = hashlib.sha256()
    for name, text in parts:
        body = text.replace("\r\n", "\n").encode("utf-8")
        sha.update(f"{name}\0{len(body)}\0".encode())
        sha.update(body)
    return "sha256:" + sha.hexdigest()


@dataclass(frozen=True)
class Registry:
    """The records the verdict engine reads, by id, with the indexes it walks."""

    units: Mapping[str, Unit]
    people: Mapping[str, Person]
    sources: Mapping[str, Source]
    allegations: Mapping[str, Allegation]
    digest: str
    folder: Path
    children: Mapping[str, tuple[str, ...]]
    successors: Mapping[str, tuple[str, ...]]
    posts_by_unit: Mapping[str, tuple[tuple[str, int], ...]]
    allegations_by_unit: Mapping[str, tuple[str, ...]]
    allegations_by_person: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_records(cls, records: Records) -> Registry:
        def first_of(pairs: list[tuple[int, Any]]) -> dict[str, Any]:
            table: dict[str, Any] = {}
            for _, record in pairs:
                table.setdefault(record.id, record)
            return table

        units = first_of(records.units)
        people = first_of(records.people)
        allegations = first_of(records.allegations)
        children: dict[str, list[str]] = defaultdict(list)
        successors: dict[str, list[str]] = defaultdict(list)
        for unit in units.values():
            if unit.parent:
                children[unit.parent].append(unit.id)
            for predecessor in unit.predecessors:
                successors[predecessor].append(unit.id)
        posts: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for person in people.values():
            for index, post in enumerate(person.posts):
                posts[post.unit].append((person.id, index))
        by_unit: dict[str, list[str]] = defaultdict(list)
        by_person: dict[str, list[str]] = defaultdict(list)
        for allegation in allegations.values():
            for unit_id in dict.fromkeys(allegation.units):
                by_unit[unit_id].append(allegation.id)
            for person_id in dict.fromkeys(allegation.people):
                by_person[person_id].append(allegation.id)
        return cls(
            units=units,
            people=people,
            sources=first_of(records.sources),
            allegations=allegations,
            digest=records.digest,
            folder=records.folder,
            children=_freeze(children),
            successors=_freeze(successors),
            posts_by_unit=_freeze(posts),
            allegations_by_unit=_freeze(by_unit),
            allegations_by_person=_freeze(by_person),
        )

    def ancestors(self, unit_id: str) -> list[str]:
        """The chain of parents above a unit, nearest first (stops on a cycle)."""
        chain: list[str] = []
        seen = {unit_id}
        current = self.units.get(unit_id)
        while current is not None and current.parent and current.parent not in seen:
            chain.append(current.parent)
            seen.add(current.parent)
            current = self.units.get(current.parent)
        return chain

    def descendants(self, unit_id: str) -> list[str]:
        """Every unit below a unit through `parent`, breadth first."""
        found: list[str] = []
        seen = {unit_id}
        queue = deque([unit_id])
        while queue:
            current = queue.popleft()
            for child in self.children.get(current, ()):
                if child not in seen:
                    seen.add(child)
                    found.append(child)
                    queue.append(child)
        return found


def _freeze(table: Mapping[str, list[Any]]) -> dict[str, tuple[Any, ...]]:
    return {key: tuple(values) for key, values in table.items()}


def open_registry(data: Path | None = None, max_bytes: int | None = None) -> Registry:
    """The registry in use, ready for verdicts; RegistryError when it can't be used."""
    from vetting import checks  # integrity checks read records; imported late to avoid a cycle

    folder = locate(data)
    try:
        records, findings = read(folder, max_bytes)
    except loader.UnreadableError as error:
        raise RegistryError(str(error)) from None
    findings += checks.run(records)
    errors = [finding for finding in findings if finding.level is Level.ERROR]
    if errors:
        first = errors[0]
        raise RegistryError(
            f"the registry in {folder} has {len(errors)} error(s); first: "
            f"{first.path}:{first.line}:{first.col}: {first.code} {first.message} "
            f"(run `vet validate --data {folder}`)"
        )
    return Registry.from_records(records)
