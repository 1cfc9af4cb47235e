"""A registry as it stands in a folder, or as it stood in a git revision.

`vet diff OLD NEW` compares two registries; each is a folder, or a revision of
the current git repository (`HEAD~1`, `main`, a commit). A revision is read
with `git show REV:PATH` for each file, where PATH is the registry in use
relative to the repository's top folder: nothing is checked out, and the
working tree is never touched. A revision whose files are missing, too large or
malformed is a `RevisionError` with a message that says which and where.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from vetting import loader, records, registry
from vetting.incremental import read_like
from vetting.records import Records

GIT_TIMEOUT = 60  # seconds; `git show` of a registry file takes milliseconds


class RevisionError(Exception):
    """A registry folder or revision cannot be read or has errors."""


@dataclass(frozen=True)
class Location:
    """Where a record stands: a file (as shown), a 1-based line, and which side it is on."""

    path: str
    line: int
    side: str  # "old" | "new"
    label: str  # the side's label, such as HEAD~1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Snapshot:
    """One side of a comparison: the registry and where each of its records stands."""

    label: str
    registry: registry.Registry
    records: Records
    texts: dict[str, str]  # each file's text, to read the other side against

    def locate(self, section: str, record_id: str, side: str) -> Location | None:
        """The line of a record (section: units, people, sources, allegations)."""
        index = self._index(section).get(record_id)
        if index is None:
            return None
        filename = records.UNITS_FILE if section in ("units", "people") else \
            records.ALLEGATIONS_FILE
        document = self.records.documents.get(filename)
        if document is None:
            return None
        line, _ = document.position((section, index))
        return Location(document.path, line, side, self.label)

    def _index(self, section: str) -> dict[str, int]:
        """Each record's index in its section (the first, for a repeated id)."""
        if section not in self._indexes:
            found: dict[str, int] = {}
            for index, record in getattr(self.records, section):
                found.setdefault(record.id, index)
            self._indexes[section] = found
        return self._indexes[section]

    @cached_property
    def _indexes(self) -> dict[str, dict[str, int]]:
        return {}


def _shown(path: Path) -> str:
    """A folder as findings show it: relative to the working folder when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _checked(label: str, folder: Path, texts: dict[str, str], base: Snapshot | None,
             where: str, hint: str) -> Snapshot:
    """The registry in `texts` (shown as in `folder`), checked; reusing `base` when given."""
    with records.gc_paused():
        if base is not None:
            found, findings = read_like(base.records, base.texts, folder, texts)
        else:
            found, findings = records.read_texts(folder, texts)
        try:
            checked = registry.checked(found, findings, where, hint)
        except registry.RegistryError as error:
            raise RevisionError(str(error)) from None
    return Snapshot(label, checked, found, texts)


def read_folder(folder: Path, base: Snapshot | None = None) -> Snapshot:
    """The registry in a folder, checked; RevisionError when it cannot be used."""
    shown = Path(_shown(folder))
    texts: dict[str, str] = {}
    try:
        records.require_folder(folder)
        limit = loader.max_bytes_from_env()
        for filename in records.LAYOUT:
            text, problem = loader.read_text(folder / filename, limit)
            if text is None:
                assert problem is not None
                raise RevisionError(f"{shown / filename}: {problem.code} {problem.message}")
            texts[filename] = text
    except loader.UnreadableError as error:
        raise RevisionError(str(error)) from None
    return _checked(str(shown), shown, texts, base, str(shown), f"run `vet validate {shown}`")


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False,
            env={**os.environ, "GIT_PAGER": "cat", "LC_ALL": "C"},
        )
    except FileNotFoundError:
        raise RevisionError("git is not installed, so only folders can be compared") from None
    except subprocess.TimeoutExpired:
        raise RevisionError(f"git {args[0]} took longer than {GIT_TIMEOUT} s") from None


def repository(cwd: Path) -> Path:
    """The top folder of the git repository holding `cwd`; RevisionError outside one."""
    done = _git("rev-parse", "--show-toplevel", cwd=cwd)
    if done.returncode != 0:
        raise RevisionError(
            f"{cwd} is not in a git repository, so a revision cannot be read; give "
            "registry folders instead"
        )
    return Path(os.fsdecode(done.stdout.strip()))


def in_repository(folder: Path, top: Path) -> str:
    """The registry folder's path inside the repository, as git names it (`data`, `.`)."""
    try:
        inside = folder.resolve().relative_to(top.resolve())
    except ValueError:
        raise RevisionError(
            f"the registry in use ({folder}) is not inside the git repository at {top}; "
            "give --data with the registry folder in the repository"
        ) from None
    return inside.as_posix() or "."


def read_revision(revision: str, folder: Path, cwd: Path | None = None,
                  base: Snapshot | None = None) -> Snapshot:
    """The registry at `folder` (inside the repository) as it stood in `revision`."""
    cwd = cwd or Path.cwd()
    if not revision.strip() or revision.startswith("-") or "\0" in revision:
        raise RevisionError(f"{revision!r} is neither a registry folder nor a git revision")
    top = repository(cwd)
    inside = in_repository(folder, top)
    done = _git("rev-parse", "--verify", "--quiet", "--end-of-options",
                f"{revision}^{{commit}}", cwd=top)
    if done.returncode != 0:
        raise RevisionError(
            f"{revision!r} is neither a registry folder nor a revision of the git repository "
            f"at {top}"
        )
    commit = done.stdout.decode("ascii", "replace").strip()
    limit = loader.max_bytes_from_env()
    texts: dict[str, str] = {}
    for filename in records.LAYOUT:
        path = filename if inside == "." else f"{inside}/{filename}"
        where = f"{revision}:{path}"
        size = _git("cat-file", "-s", f"{commit}:{path}", cwd=top)
        if size.returncode != 0:
            raise RevisionError(f"{where}: no such file in revision {revision}")
        if int(size.stdout.strip() or 0) > limit:
            raise RevisionError(
                f"{where}: larger than the limit of {limit:,} bytes (raise it with "
                "VET_MAX_BYTES)"
            )
        # --no-textconv: the blob as committed, never what a .gitattributes filter makes of it
        shown = _git("show", "--no-textconv", f"{commit}:{path}", cwd=top)
        if shown.returncode != 0:
            raise RevisionError(f"{where}: git show failed: "
                                f"{shown.stderr.decode('utf-8', 'replace').strip()[:200]}")
        try:
            texts[filename] = shown.stdout.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise RevisionError(f"{where}: byte {error.start + 1} is not valid UTF-8") from None
    # Findings name the files as they are in the repository, relative to the working
    # folder, so that annotations land on the right file.
    return _checked(
        revision, Path(_shown(top / inside)), texts, base, f"revision {revision} ({inside})",
        f"`vet validate` on a checkout of {revision} lists every finding",
    )


def read_side(spec: str, folder: Path, base: Snapshot | None = None) -> Snapshot:
    """OLD or NEW of `vet diff`: a registry folder when one is there, else a git revision.

    With `base` (the other side, already read), what is unchanged is reused from it.
    """
    path = Path(spec)
    if path.is_dir():
        return read_folder(path, base)
    if path.is_file() and path.name in records.LAYOUT:
        return read_folder(path.parent, base)
    return read_revision(spec, folder, base=base)
