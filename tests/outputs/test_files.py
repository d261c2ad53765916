"""Outputs are written aside and renamed into place: whole or not at all, never over an input.

A full disk is simulated by an ``OSError(ENOSPC)`` where the OS would raise it (a write,
the sync); the CLI tests do the same with a real file-size limit and real folders.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from revenue_retention import load, write_rejects
from revenue_retention.errors import OptionError, OutputError
from revenue_retention.outputs import files as files_module
from revenue_retention.outputs import rejects as rejects_module
from revenue_retention.outputs._document import Document, Section
from revenue_retention.outputs.files import OutputFiles, check_targets, write_text

_FULL = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _old(folder: Path, *names: str) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(f"old {name}\n", encoding="utf-8")
    return {name: f"old {name}\n" for name in names}


def _contents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def test_a_set_appears_together(tmp_path: Path) -> None:
    _old(tmp_path, "a.csv", "b.csv")
    with OutputFiles() as files:
        with files.open(tmp_path / "a.csv") as handle:
            handle.write("new a\n")
        # Nothing is in place until every file of the set is complete.
        assert (tmp_path / "a.csv").read_text(encoding="utf-8") == "old a.csv\n"
        with files.open(tmp_path / "b.csv") as handle:
            handle.write("new b\n")
    assert _contents(tmp_path) == {"a.csv": "new a\n", "b.csv": "new b\n"}


@pytest.mark.parametrize("where", ["write", "sync"])
def test_a_full_disk_leaves_every_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    old = _old(tmp_path, "a.csv", "b.csv")
    real_fsync = os.fsync
    synced: list[int] = []

    def full_on_second(fd: int) -> None:
        synced.append(fd)
        if len(synced) == 2:
            raise _FULL
        real_fsync(fd)

    if where == "sync":
        monkeypatch.setattr(files_module.os, "fsync", full_on_second)
    with pytest.raises(OutputError) as raised, OutputFiles() as files:
        with files.open(tmp_path / "a.csv") as handle:
            handle.write("new a\n")
        with files.open(tmp_path / "b.csv") as handle:
            if where == "write":
                raise _FULL
            handle.write("new b\n")
    assert str(raised.value) == f"cannot write {tmp_path / 'b.csv'}: No space left on device"
    assert raised.value.path == str(tmp_path / "b.csv")
    # The old files, and nothing else: no temporary left behind.
    assert _contents(tmp_path) == old


def test_an_interrupted_set_leaves_every_old_file(tmp_path: Path) -> None:
    """A killed ``--format csv -o dir``: no new bridge.csv beside a stale retention.csv."""
    old = _old(tmp_path, "bridge.csv", "retention.csv")
    sections = [Section("bridge", ("x",), [{"x": 1}]), Section("retention", ("y",), [{"y": 2}])]
    doc = Document({}, sections, render=lambda _: None)
    real = files_module.OutputFiles.open
    opened: list[Path] = []

    def interrupted(self: OutputFiles, target: Path):  # type: ignore[no-untyped-def]
        opened.append(target)
        if len(opened) == 2:
            raise KeyboardInterrupt
        return real(self, target)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files_module.OutputFiles, "open", interrupted)
        with pytest.raises(KeyboardInterrupt):
            doc.write_csv_dir(tmp_path)
    assert opened == [tmp_path / "bridge.csv", tmp_path / "retention.csv"]
    assert _contents(tmp_path) == old


def test_an_interrupted_rejects_file_leaves_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("customer_id,month,mrr\na,2024-01,x\nb,2024-01,10\n", encoding="utf-8")
    data = load(source, on_bad_rows="reject")
    out = tmp_path / "out"
    old = _old(out, "rejects.csv")

    def interrupted(batch: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(rejects_module, "neutralise_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_rejects(data, out / "rejects.csv")
    assert _contents(out) == old


def test_a_planted_symlink_is_never_followed(tmp_path: Path) -> None:
    """A link at the target's name is replaced; one at a temporary name cannot be used."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").symlink_to(victim)
    # The names a fixed-name writer would use next to its target.
    for planted in (".report.html.partial", ".report.html.tmp", "report.html.tmp"):
        (out / planted).symlink_to(victim)
    write_text(out / "report.html", "<html>new</html>\n")
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert not (out / "report.html").is_symlink()
    assert (out / "report.html").read_text(encoding="utf-8") == "<html>new</html>\n"


def test_permissions_are_those_of_the_file_replaced_or_a_new_file(tmp_path: Path) -> None:
    new = write_text(tmp_path / "new.json", "{}\n")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~mask
    old = tmp_path / "old.json"
    old.write_text("[]\n", encoding="utf-8")
    old.chmod(0o640)
    write_text(old, "{}\n")
    assert stat.S_IMODE(old.stat().st_mode) == 0o640


def test_a_folder_under_a_file_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    target = tmp_path / "file" / "report.html"
    with pytest.raises(OutputError) as raised:
        write_text(target, "x")
    assert str(raised.value).startswith(f"cannot write {target}: ")
    assert raised.value.reason in ("File exists", "Not a directory")


# --- outputs that are inputs --------------------------------------------------------------


def test_an_output_that_is_an_input_by_any_name_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "mrr.csv"
    source.write_text("customer_id,month,mrr\n", encoding="utf-8")
    (tmp_path / "link.csv").symlink_to(source)
    os.link(source, tmp_path / "hard.csv")
    (tmp_path / "sub").mkdir()
    for name in ("mrr.csv", "link.csv", "hard.csv", "sub/../mrr.csv"):
        with pytest.raises(OptionError) as raised:
            check_targets([("--rejects", tmp_path / name)], [source])
        assert str(raised.value) == (
            f"--rejects: '{tmp_path / name}' is the input file {source}; writing it would "
            "destroy it"
        )
    check_targets([("--rejects", tmp_path / "other.csv")], [source])


def test_two_outputs_naming_one_file_are_refused(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with pytest.raises(OptionError, match="is the file --output writes too"):
        check_targets([("--output", target), ("--rejects", tmp_path / "." / "out.csv")], [])


def test_checking_leaves_nothing_behind(tmp_path: Path) -> None:
    check_targets([("--output", tmp_path / "new" / "r.html")], [], [("-o", tmp_path / "csv")])
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["csv", "new"]


def _drain(fifo: Path) -> tuple[list[bytes], object]:
    import threading

    got: list[bytes] = []

    def read() -> None:
        with fifo.open("rb") as handle:
            got.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return got, reader


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX only")
def test_a_pipe_or_device_is_written_into_never_replaced(tmp_path: Path) -> None:
    # `-o /dev/null` renamed a file over the device (as root, /dev/null became a regular
    # file for every process). A named pipe stands for any device: written as it is.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    check_targets([("--output", fifo), ("--workbook", fifo)], [])  # both may be a device
    got, reader = _drain(fifo)
    write_text(fifo, "figures\n")
    reader.join(timeout=10)  # type: ignore[attr-defined]
    assert got == [b"figures\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temporary left
