"""Output files written whole or not at all, never over an input.

Every writer (JSON, CSV, terminal text, the HTML report, the workbook, the rejects file)
writes through ``OutputFiles``: each file goes to a new temporary file beside its target
(``tempfile.mkstemp``: a name no one else holds, created exclusively, so a link planted
there is never followed), is flushed and synced to disk, and only when every file of the
set is complete are they renamed over their targets. A failure (a full disk, an
interrupted run) removes the temporaries and leaves the previous files as they were. A
symlink at a target's name is replaced by the file, never written through.

An OS error becomes one ``OutputError`` naming the target and the OS's reason.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from revenue_retention.errors import OptionError, OutputError

__all__ = ["OutputFiles", "check_targets", "write_file", "write_text"]


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _default_mode() -> int:
    """Permissions of a new file as ``open`` would create it: 0o666 less the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _make_folder(target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(target, _reason(error)) from None


def _sync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable; not every system can open a folder."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class OutputFiles:
    """A set of output files that appear together, or not at all.

    >>> folder = getfixture("tmp_path")
    >>> with OutputFiles() as files:
    ...     with files.open(folder / "a.csv") as handle:
    ...         _ = handle.write("x\\n1\\n")
    ...     with files.open(folder / "b.csv") as handle:
    ...         _ = handle.write("y\\n2\\n")
    >>> sorted(p.name for p in folder.iterdir())
    ['a.csv', 'b.csv']
    """

    def __init__(self) -> None:
        #: (temporary, target) of each file written so far.
        self._staged: list[tuple[Path, Path]] = []

    def __enter__(self) -> OutputFiles:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()

    def open(self, target: Path) -> contextlib.AbstractContextManager[IO[str]]:
        """A UTF-8 text handle on a new temporary file that ``commit`` renames to ``target``.

        Missing folders above ``target`` are created. The file takes the permissions of the
        file it replaces, or those a new file gets.
        """
        return self._open(Path(target), binary=False)

    def open_binary(self, target: Path) -> contextlib.AbstractContextManager[IO[bytes]]:
        """As ``open``, for bytes."""
        return self._open(Path(target), binary=True)

    @contextlib.contextmanager
    def _open(self, target: Path, binary: bool) -> Iterator[IO[Any]]:
        if _is_stream(target):
            # /dev/null, /dev/stdout, a named pipe: written as they are. Renaming a file
            # over one would replace the device itself (as root, /dev/null for everyone).
            try:
                with target.open("wb") if binary else target.open("w", encoding="utf-8") as out:
                    yield out
            except OSError as error:
                raise OutputError(target, _reason(error)) from None
            return
        _check_replaceable(target)
        _make_folder(target)
        try:
            fd, name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".part", dir=target.parent
            )
        except OSError as error:
            raise OutputError(target, _reason(error)) from None
        temp = Path(name)
        self._staged.append((temp, target))
        try:
            mode = target.stat().st_mode & 0o7777 if target.is_file() else _default_mode()
            os.chmod(temp, mode)
            handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8")
            with handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            raise OutputError(target, _reason(error)) from None

    def commit(self) -> list[Path]:
        """Rename every temporary over its target; return the targets."""
        staged, self._staged = self._staged, []
        done = []
        try:
            for temp, target in staged:
                try:
                    os.replace(temp, target)
                except OSError as error:
                    raise OutputError(target, _reason(error)) from None
                done.append(target)
        finally:
            for temp, _ in staged[len(done) :]:
                temp.unlink(missing_ok=True)
        for folder in {target.parent for target in done}:
            _sync_folder(folder)
        return done

    def discard(self) -> None:
        """Remove every temporary: the targets stay as they were."""
        staged, self._staged = self._staged, []
        for temp, _ in staged:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)


def _is_stream(target: Path) -> bool:
    """Whether ``target`` is a device, pipe or socket (followed through links), not a file."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISBLK(mode)


def _check_replaceable(target: Path) -> None:
    """A folder, or a file its owner made read-only, is not replaced behind their back."""
    try:
        found = target.lstat()
    except FileNotFoundError:
        return
    except OSError as error:  # a folder on the way that cannot be searched, a file
        raise OutputError(target, _reason(error)) from None
    if target.is_dir():
        raise OutputError(target, "is a folder")
    if stat.S_ISREG(found.st_mode) and not os.access(target, os.W_OK):
        raise OutputError(target, "the file is read-only (Permission denied)")


def write_file(target: Path, write: Callable[[IO[bytes]], None]) -> Path:
    """Write one binary file through ``write(handle)``, whole or not at all."""
    with OutputFiles() as files, files.open_binary(target) as handle:
        write(handle)
    return target


def write_text(target: Path, text: str) -> Path:
    """Write one UTF-8 text file, whole or not at all."""
    with OutputFiles() as files, files.open(target) as handle:
        handle.write(text)
    return target


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): an output about to be created
        return False


def _probe(target: Path, folder: Path) -> None:
    """Create ``folder`` and a temporary file in it, then remove that file."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".retention-check.", suffix=".part", dir=folder)
    except OSError as error:
        raise OutputError(target, _reason(error)) from None
    os.close(fd)
    os.unlink(name)


def check_targets(
    outputs: Iterable[tuple[str, Path | None]],
    inputs: Iterable[Path],
    folders: Iterable[tuple[str, Path | None]] = (),
) -> None:
    """Refuse an output that is an input (the same file by any name: a symlink, a hard
    link, another spelling) or that another output writes too; check each can be written.

    Writing is checked by making a temporary file where the output goes (its folders are
    created), so a read-only folder is said before any work, not after it.

    Parameters
    ----------
    outputs
        Each output file with the option that names it (``--output``); None: not asked for.
    inputs
        The files the command reads: the source, a database file, the exchange rates.
    folders
        Output folders with their option (``--output`` of ``--format csv``): checked for
        writing; the files written into them are checked when their names are known.

    Raises
    ------
    OptionError
        An output names an input, or two outputs the same file.
    OutputError
        An output cannot be written there: the OS's reason.
    """
    # A device or pipe (/dev/null) is written as it is: nothing to replace or probe.
    named = [
        (option, Path(path))
        for option, path in outputs
        if path is not None and not _is_stream(Path(path))
    ]
    read = [Path(path) for path in inputs]
    for option, path in named:
        for source in read:
            if _same(path, source):
                raise OptionError(
                    option, str(path), f"is the input file {source}; writing it would destroy it"
                )
    for i, (option, path) in enumerate(named):
        for other, earlier in named[:i]:
            if _same(path, earlier) or os.path.realpath(path) == os.path.realpath(earlier):
                raise OptionError(option, str(path), f"is the file {other} writes too")
    for _, path in named:
        _check_replaceable(path)
        _probe(path, path.parent)
    for _, folder in folders:
        if folder is not None:
            _probe(folder, Path(folder))
