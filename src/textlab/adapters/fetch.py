"""Fetch corpus files and unpack archives: the network and disk side of `textlab.fetching`.

Every write goes through `atomic_path`, so a failed or interrupted fetch leaves the previous file
(if any) exactly as it was and no temporary files behind.
"""
from __future__ import annotations

import contextlib
import hashlib
import http.client
import itertools
import stat
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, TypeVar

from textlab.adapters.files import atomic_path
from textlab.fetching import (
    SUMS_FILENAME,
    ChecksumMismatch,
    DownloadError,
    archive_limit_reason,
    check_archive_limits,
    is_url,
    parse_sha256sums,
    sums_location,
    unpacked_size_reason,
    unsafe_member_reason,
)

CHUNK_BYTES = 1 << 20
MAX_BACKOFF_S = 30.0
_RETRYABLE_HTTP = {408, 425, 429}  # and every 5xx
_T = TypeVar("_T")


class _Transient(DownloadError):
    """A failure that another attempt may well not hit: connection trouble, a cut-off body, 5xx."""


class _NotFound(DownloadError):
    """The location does not exist (HTTP 404/410, missing file): retrying cannot help."""


def read_mirror_sums(
    mirror: str | None, timeout_s: float, *, retries: int = 2, backoff_s: float = 0.5,
) -> dict[str, str]:
    """The mirror's `SHA256SUMS` as {file name: sha256}; {} with no mirror or no such file there.

    A mirror directory that does not exist is an error rather than an empty list, since it is
    almost surely a mistyped setting. A list that cannot be read or parsed is an error too:
    skipping it would silently switch verification off.
    """
    if not mirror:
        return {}
    if not is_url(mirror) and not Path(mirror).is_dir():
        raise DownloadError(f"mirror {mirror!r}: no such directory")
    location = sums_location(mirror)

    def read_once() -> bytes:
        with _open(location, timeout_s, SUMS_FILENAME) as (stream, size):
            return b"".join(_chunks(stream, size, f"{SUMS_FILENAME}: {location}"))

    try:
        data = _with_retries(read_once, retries, backoff_s, SUMS_FILENAME)
    except _NotFound:
        return {}
    try:
        return parse_sha256sums(data.decode("utf-8"), where=location)
    except UnicodeDecodeError as err:
        raise DownloadError(f"{location}: checksum list is not UTF-8 text (byte {err.start})") from err
    except ValueError as err:  # the message names the location and line already
        raise DownloadError(f"unreadable checksum list: {err}") from err


def fetch(
    location: str, target: Path, *, expected_sha256: str | None, retries: int, timeout_s: float,
    progress: bool = True, backoff_s: float = 0.5,
) -> str:
    """Copy a local path or download an http(s)/file URL to `target`; return its sha256 hex.

    The bytes are streamed into a temporary file beside `target` and hashed on the way; only when
    the checksum matches `expected_sha256` (if given) is the file renamed onto `target`.
    Transient failures are retried `retries` times, `backoff_s` doubling between attempts;
    a 404 or a checksum mismatch is raised at once, since trying again fetches the same answer.
    """
    target = Path(target)
    expected = expected_sha256.lower() if expected_sha256 else None

    def fetch_once() -> str:
        with atomic_path(target) as tmp:
            with _open(location, timeout_s, target.name) as (stream, size):
                actual = _copy(_chunks(stream, size, f"{target.name}: {location}"), size, tmp, progress)
            if expected is not None and actual != expected:
                raise ChecksumMismatch(target.name, location, expected, actual)
        return actual

    return _with_retries(fetch_once, retries, backoff_s, target.name)


def extract_archive(archive: Path, dest: Path, *, max_members: int, max_bytes: int) -> list[str]:
    """Unpack a zip or tar(.gz/.bz2/.xz) archive into `dest`; return the file names it holds.

    Refused before anything is written: more than `max_members` members, a declared unpacked total
    over `max_bytes`, or any unsafe member. Declared sizes can lie, so the bytes are also counted
    as they are written and extraction stops at the cap. Everything lands in a temporary directory
    renamed onto `dest` only at the end, so a refused archive leaves no trace and the old `dest` stays.
    """
    archive, dest = Path(archive), Path(dest)
    check_archive_limits(max_members, max_bytes)
    if not archive.is_file():
        raise DownloadError(f"{archive}: no such archive")
    limits = {"max_members": max_members, "max_bytes": max_bytes}
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:  # the central directory is read whole on opening anyway
                infos = zf.infolist()
                members = [_zip_member(info) for info in infos]
                return _extract(archive, dest, members, lambda i: zf.open(infos[i]), counted_all=True, **limits)
        if tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tf:
                # Headers are read one by one: stop past the cap rather than load millions of them.
                infos = list(itertools.islice(tf, max_members + 1))
                members = [_tar_member(info) for info in infos]
                return _extract(archive, dest, members, lambda i: tf.extractfile(infos[i]),
                                counted_all=len(infos) <= max_members, **limits)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, OSError) as err:
        raise DownloadError(f"{archive}: cannot extract: {err}; nothing was kept") from err
    raise DownloadError(f"{archive}: not a readable zip or tar archive (damaged, cut short or another format)")


def _with_retries(action: Callable[[], _T], retries: int, backoff_s: float, label: str) -> _T:
    """Run `action`, again after a growing pause each time it fails transiently."""
    attempts = max(retries, 0) + 1
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except _Transient as err:
            if attempt == attempts:
                raise DownloadError(f"{err} (gave up after {attempts} attempt(s))") from err
            delay = min(backoff_s * 2 ** (attempt - 1), MAX_BACKOFF_S)
            print(f"{label}: attempt {attempt} of {attempts} failed: {err}; retrying in {delay:.1f}s", file=sys.stderr)
            time.sleep(delay)
    raise AssertionError("unreachable")


@contextlib.contextmanager
def _open(location: str, timeout_s: float, label: str) -> Iterator[tuple[BinaryIO, int | None]]:
    """Open `location`; yield the stream and the size it announces (None if unknown).

    Errors are sorted here, once: `_NotFound` and plain `DownloadError` are final, `_Transient` is retried.
    """
    where = f"{label}: {location}"
    if not is_url(location):
        try:
            stream: BinaryIO = open(location, "rb")
        except FileNotFoundError as err:
            raise _NotFound(f"{where}: no such file") from err
        except OSError as err:
            raise DownloadError(f"{where}: cannot read: {err}") from err
        with stream:
            yield stream, Path(location).stat().st_size
        return
    request = urllib.request.Request(location, headers={"User-Agent": "textlab-fetch"})
    try:
        response = urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as err:
        err.close()
        if err.code in (404, 410):
            raise _NotFound(f"{where}: HTTP {err.code} {err.reason} (not retried)") from None
        retryable = err.code >= 500 or err.code in _RETRYABLE_HTTP
        raise (_Transient if retryable else DownloadError)(f"{where}: HTTP {err.code} {err.reason}") from None
    except urllib.error.URLError as err:
        if location.lower().startswith("file:"):  # local trouble: another try changes nothing
            kind = _NotFound if isinstance(err.reason, FileNotFoundError) else DownloadError
            raise kind(f"{where}: {err.reason}") from err
        raise _Transient(f"{where}: {err.reason}") from err
    except (OSError, http.client.HTTPException) as err:
        raise _Transient(f"{where}: {err!r}") from err
    except ValueError as err:  # e.g. http.client.InvalidURL
        raise DownloadError(f"{where}: invalid URL: {err}") from err
    with response:
        length = response.headers.get("Content-Length", "")
        yield response, int(length) if length.strip().isdigit() else None


def _chunks(stream: BinaryIO, size: int | None, where: str) -> Iterator[bytes]:
    """Read `stream` in chunks. A read that breaks off, or a body short of its announced `size`
    (http.client returns one without complaint when the peer closes early), is transient."""
    received = 0
    while True:
        try:
            chunk = stream.read(CHUNK_BYTES)
        except (OSError, http.client.HTTPException) as err:
            raise _Transient(f"{where}: transfer broke off: {err!r}") from err
        if not chunk:
            break
        received += len(chunk)
        yield chunk
    if size is not None and received != size:
        raise _Transient(f"{where}: truncated transfer: got {received:,} of {size:,} bytes")


def _copy(chunks: Iterator[bytes], size: int | None, tmp: Path, progress: bool) -> str:
    """Write `chunks` to `tmp`, hashing on the way; return the sha256 hex of what was written.

    With `progress`, a stderr line every ~10% (every 16 MiB when the size is unknown): plain lines
    read well in DVC logs, where a redrawn bar such as tqdm's leaves a wall of carriage returns.
    """
    digest, received = hashlib.sha256(), 0
    step = max(size // 10, 1) if size else 16 * CHUNK_BYTES
    with open(tmp, "wb") as out:
        for chunk in chunks:
            out.write(chunk)
            digest.update(chunk)
            received += len(chunk)
            if progress and received // step > (received - len(chunk)) // step:
                share = f"{100 * received // size}% " if size else ""
                print(f"{tmp.name}: {share}({received:,} bytes)", file=sys.stderr, flush=True)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Member:
    name: str
    is_link: bool
    is_special: bool
    is_file: bool
    size: int  # as the archive declares it


def _zip_member(info: zipfile.ZipInfo) -> _Member:
    """Unix modes sit in the high bits of external_attr."""
    mode = info.external_attr >> 16 if info.create_system == 3 else 0
    is_special = stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK)
    return _Member(info.filename, stat.S_ISLNK(mode), is_special, not info.is_dir(), info.file_size)


def _tar_member(info: tarfile.TarInfo) -> _Member:
    is_link = info.issym() or info.islnk()
    return _Member(info.name, is_link, not (info.isreg() or info.isdir() or is_link), info.isreg(),
                   info.size if info.isreg() else 0)


def _extract(archive: Path, dest: Path, members: list[_Member], open_member: Callable[[int], BinaryIO | None], *,
             max_members: int, max_bytes: int, counted_all: bool) -> list[str]:
    """Check every member, then write them one by one under a running byte count."""
    declared = sum(member.size for member in members if member.is_file)
    _refuse_unfit(archive, members, declared, max_members=max_members, max_bytes=max_bytes, counted_all=counted_all)
    written = 0
    with atomic_path(dest) as tmp:
        tmp.mkdir()
        for index, member in enumerate(members):
            target = tmp / PurePosixPath(member.name)
            if not member.is_file:
                target.mkdir(parents=True, exist_ok=True)
                continue
            with open_member(index) as stream:
                written = _write_capped(stream, target, written, archive=archive, member=member.name,
                                        declared=declared, max_bytes=max_bytes)
    return list(dict.fromkeys(str(PurePosixPath(member.name)) for member in members if member.is_file))


def _refuse_unfit(archive: Path, members: list[_Member], declared: int, *, max_members: int, max_bytes: int,
                  counted_all: bool) -> None:
    """Raise before anything is written if the archive is too big by its index or holds an unsafe member."""
    reason = archive_limit_reason(len(members), declared, max_members=max_members, max_bytes=max_bytes,
                                  counted_all=counted_all)
    if reason is not None:
        raise DownloadError(f"{archive}: refusing to extract: {reason}; nothing was extracted")
    for member in members:
        reason = unsafe_member_reason(member.name, is_link=member.is_link, is_special=member.is_special)
        if reason is not None:
            raise DownloadError(f"{archive}: refusing member {member.name!r}, which {reason}; nothing was extracted")


def _write_capped(stream: BinaryIO, target: Path, written: int, *, archive: Path, member: str, declared: int,
                  max_bytes: int) -> int:
    """Copy one member to `target`; return the archive's running total of bytes unpacked.

    The total is checked before each write, so the disk never holds more than `max_bytes`
    whatever the headers claimed; the caller's `atomic_path` removes what was written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as out:
        while chunk := stream.read(CHUNK_BYTES):
            written += len(chunk)
            reason = unpacked_size_reason(written, declared, member, max_bytes=max_bytes)
            if reason is not None:
                raise DownloadError(f"{archive}: refusing to extract: {reason}; nothing was kept")
            out.write(chunk)
    return written
