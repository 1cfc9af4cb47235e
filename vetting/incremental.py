"""Reading a registry that differs little from one already read, reusing what did not change.

`vet diff` reads two registries that usually differ by a few records out of
thousands. Reading a record (YAML, then the schema) costs far more than finding
it in text, so the second registry is read like this:

1. Each file's text is cut into its top-level keys (`units:`, `people:`, …)
   and the items of each key's block list, by lines: an item starts at a `- `
   at the list's indentation and runs to the next one. The cut must agree with
   what the YAML parser found in the first registry, item for item.
2. An item whose text (and key) is the same in the first registry is that
   record, already parsed and validated: it is reused, and its positions are
   those of the first registry shifted by the lines it moved.
3. Any other item is parsed and validated alone, at its own lines.

Anything this cannot read exactly as the whole-file reader would (flow style,
several documents, a duplicate key, an item with a YAML or schema problem, an
unknown key) makes the file be read whole by `records.read_texts`, which gives
the usual findings. The result is the same `Records` either way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vetting import loader
from vetting.codes import Finding
from vetting.records import LAYOUT, Records, digest_of, read_texts

# Items parsed one by one, beyond a fifth of the file's: more, and the whole file is
# parsed at once, which is quicker than many small parses.
MOST_ALONE = 100
# A top-level key with nothing after it but a comment: `units:`.
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):[ \t]*(?:#.*)?\r?")


@dataclass(frozen=True, slots=True)
class _Item:
    start: int  # its first line, 1-based
    text: str  # its lines, through the line before the next item or key


@dataclass(frozen=True, slots=True)
class _Section:
    key: str
    line: int
    items: tuple[_Item, ...]


def _is_item(line: str, at: int) -> bool:
    return line[at:at + 1] == "-" and line[at + 1:at + 2] in ("", " ", "\r")


def split(text: str) -> list[_Section] | None:
    """A file's top-level keys and the items of their block lists; None when unsure."""
    lines = text.split("\n")
    sections: list[_Section] = []
    key: str | None = None
    key_line = 0
    indent: int | None = None
    starts: list[int] = []
    seen: set[str] = set()

    def close(end: int) -> None:
        if key is None:
            return
        bounds = [*starts, end + 1]
        sections.append(_Section(key, key_line, tuple(
            _Item(start, "\n".join(lines[start - 1:stop - 1]))
            for start, stop in pairwise(bounds)
        )))

    for number, line in enumerate(lines, start=1):
        content = line.strip()
        if not content or content.startswith("#"):
            continue
        if line[0] not in " -":
            found = _KEY.fullmatch(line)
            if found is None or found.group(1) in seen:
                return None  # a key with a value on its line, a marker, a duplicate: unsure
            close(number - 1)
            key, key_line, indent, starts = found.group(1), number, None, []
            seen.add(key)
            continue
        if key is None:
            return None
        lead = len(line) - len(line.lstrip(" "))
        if indent is None:
            if not _is_item(line, lead):
                return None
            indent = lead
        if lead == indent and _is_item(line, lead):
            starts.append(number)
        elif lead <= indent:
            return None
    close(len(lines))
    return sections


class SplicedDocument(loader.Document):
    """A file read item by item: positions come from the document each item was read in."""

    def __init__(self, path: str, data: dict[str, Any], keys: dict[str, tuple[int, int]],
                 items: dict[tuple[str, int], tuple[loader.Document, int, int]]) -> None:
        super().__init__(path, data, {})
        self._keys = keys  # top-level key: its line, and where its list starts
        self._items = items  # (key, index): (document, index there, lines moved)

    def position(self, loc: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """As `Document.position`: the item's document answers for what is inside it."""
        if not loc:
            return 1, 1
        if len(loc) >= 2 and (loc[0], loc[1]) in self._items:
            document, index, moved = self._items[loc[0], loc[1]]  # type: ignore[index]
            line, col = document.position((loc[0], index, *loc[2:]), key=key)
            return line + moved, col
        top = (min(line for line, _ in self._keys.values()), 1) if self._keys else (1, 1)
        if loc[0] not in self._keys:
            return top
        line, listed = self._keys[loc[0]]  # type: ignore[index]
        return (line, 1) if key and len(loc) == 1 else (listed[0], listed[1])


def _list_start(section: _Section) -> tuple[int, int]:
    if not section.items:
        return section.line, len(section.key) + 2  # where a missing value would be
    first = section.items[0]
    return first.start, len(first.text) - len(first.text.lstrip(" ")) + 1


def _agrees(document: loader.Document, sections: list[_Section]) -> bool:
    """Whether the cut by lines found exactly the items the parser found."""
    data = document.data
    if not isinstance(data, dict) or list(data) != [section.key for section in sections]:
        return False
    for section in sections:
        items = data[section.key]
        if not section.items:
            if items is not None:
                return False
            continue
        where = document.positions.get(id(items)) if isinstance(items, list) else None
        if where is None or len(items) != len(section.items):
            return False
        if any(where.values.get(index, (0, 0))[0] != item.start
               for index, item in enumerate(section.items)):
            return False
    return True


def _read_file(base: Records, base_text: str, records: Records, filename: str,
               text: str) -> bool:
    """Read one file into `records` reusing `base`; False when it must be read whole."""
    old = base.documents.get(filename)
    if old is None:
        return False
    layout = LAYOUT[filename]
    old_records = {
        section: dict(getattr(base, section)) for section in layout
    }
    if text == base_text:  # the whole file unchanged: every record as it was
        records.documents[filename] = loader.Document(
            records.path(filename), old.data, old.positions
        )
        for section in layout:
            getattr(records, section).extend(getattr(base, section))
            records.claimed_ids[section] |= base.claimed_ids.get(section, set())
        return True
    old_sections, new_sections = split(base_text), split(text)
    if old_sections is None or new_sections is None or not _agrees(old, old_sections):
        return False
    known: dict[tuple[str, str], tuple[int, int]] = {}
    for section in old_sections:
        for index, item in enumerate(section.items):
            known.setdefault((section.key, item.text), (index, item.start))
    items = [(section.key, item.text) for section in new_sections for item in section.items]
    if sum(item not in known for item in items) > MOST_ALONE + len(items) // 5:
        return False  # much of the file changed: parsing it whole is quicker
    data: dict[str, Any] = {}
    spliced: dict[tuple[str, int], tuple[loader.Document, int, int]] = {}
    for section in new_sections:
        model = layout.get(section.key)
        if model is None:
            return False  # an unknown key: the whole-file reader reports it
        values: list[Any] = []
        kept: list[tuple[int, Any]] = getattr(records, section.key)
        for index, item in enumerate(section.items):
            hit = known.get((section.key, item.text))
            if hit is not None and hit[0] in old_records[section.key]:
                old_index, old_start = hit
                value = old.data[section.key][old_index]
                record = old_records[section.key][old_index]
                spliced[section.key, index] = (old, old_index, item.start - old_start)
            else:
                alone, findings = loader.parse(f"{section.key}:\n{item.text}", records.path(
                    filename))
                if alone is None or findings or not isinstance(alone.data, dict):
                    return False
                listed = alone.data.get(section.key)
                if not isinstance(listed, list) or len(listed) != 1:
                    return False
                value = listed[0]
                try:
                    record = model.model_validate(value)
                except ValidationError:
                    return False  # the whole-file reader words the findings
                spliced[section.key, index] = (alone, 0, item.start - 2)
            values.append(value)
            kept.append((index, record))
            if isinstance(value, dict) and isinstance(value.get("id"), str):
                records.claimed_ids[section.key].add(value["id"])
        data[section.key] = values or None
    records.documents[filename] = SplicedDocument(records.path(filename), data, {
        section.key: (section.line, _list_start(section)) for section in new_sections
    }, spliced)
    return True


def read_like(base: Records, base_texts: dict[str, str], folder: Path,
              texts: dict[str, str]) -> tuple[Records, list[Finding]]:
    """The registry in `texts` (shown as in `folder`), reusing what is unchanged from `base`.

    The same as `records.read_texts(folder, texts)`, only faster when the two
    differ little; `base` must be a registry read without findings.
    """
    records = Records(folder)
    for filename in LAYOUT:
        if not _read_file(base, base_texts[filename], records, filename, texts[filename]):
            return read_texts(folder, texts)
    records.digest = digest_of(texts)
    return records, []
