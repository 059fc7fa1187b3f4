"""Atomic writes: every output lands under a temporary name and is renamed into place."""
from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only if the block succeeds.

    Works for files and directories alike: write whatever you like at the yielded path.
    On error the temporary path is removed and `target` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    staged = tmp / target.name
    try:
        yield staged
        if not staged.exists():
            raise FileNotFoundError(f"nothing was written for {target}")
        if target.is_dir() and not target.is_symlink():
            old = tmp / (target.name + ".old")
            os.replace(target, old)
            os.replace(staged, target)
        else:
            os.replace(staged, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def remove_stale_temporaries(target: Path) -> None:
    """Delete what a killed writer of `target` left beside it (`.<name>.*.tmp`).

    DVC runs one stage at a time per workspace, and each output has one stage, so any such folder
    belongs to an earlier, dead run of this very writer.
    """
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        shutil.rmtree(stale, ignore_errors=True)


def normalize_zip(path: Path, rewrite: Callable[[str, bytes], bytes] | None = None,
                  rename: Callable[[str], str] | None = None) -> None:
    """Rewrite a zip archive in place with fixed entry timestamps, members in name order (and
    optionally rewritten or renamed members: see `textlab.archives`).

    Keras and skops stamp the save time into their archives; without this an identical retrain
    gives a new file hash and DVC reruns everything downstream.
    """
    with zipfile.ZipFile(path) as source:
        members = [(rename(info.filename) if rename else info.filename, info, source.read(info))
                   for info in source.infolist()]
    with atomic_path(path) as staged, zipfile.ZipFile(staged, "w") as out:
        for name, info, data in sorted(members, key=lambda member: member[0]):
            entry = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            entry.compress_type, entry.external_attr = info.compress_type, info.external_attr
            out.writestr(entry, rewrite(info.filename, data) if rewrite else data)


def write_json(target: str | Path, payload: Any) -> None:
    """Write `payload` as indented, key-sorted JSON, atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_text(target: str | Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
