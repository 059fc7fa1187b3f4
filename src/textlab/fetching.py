"""Download decisions without I/O: where a corpus file comes from, which checksum it must have,
which archive members are unsafe to extract, and when an archive unpacks to too much.

Kept apart from `textlab.adapters.fetch` so the rules can be tested without a network or a disk.
"""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from textlab.corpora import Source

URL_SCHEMES = ("http://", "https://", "file://")
SUMS_FILENAME = "SHA256SUMS"
_SUMS_LINE = re.compile(r"^(?P<hex>[0-9a-fA-F]{64}) [ *](?P<name>.+)$")


class DownloadError(RuntimeError):
    """A file could not be fetched or unpacked; the message names the file and where it came from."""


class ChecksumMismatch(DownloadError):
    """The bytes fetched are not the ones expected. Never retried: fetching again gives the same bytes."""

    def __init__(self, filename: str, location: str, expected: str, actual: str) -> None:
        self.filename, self.location, self.expected, self.actual = filename, location, expected, actual
        super().__init__(
            f"{filename}: checksum mismatch for {location}: expected sha256 {expected}, got {actual}; "
            "the file was not written"
        )


def is_url(location: str) -> bool:
    """True for the URL schemes the fetcher understands; anything else is a local path."""
    return location.lower().startswith(URL_SCHEMES)


def resolve_location(source: Source, mirror: str | None) -> str:
    """Where to fetch `source` from: the mirror if one is set, else the canonical URL.

    A mirror is a base URL (http://, https://, file://) or a directory path; either way it holds
    the file under `source.filename`. An empty mirror string counts as no mirror, so an unset
    environment variable expanded to "" does not turn into the current directory.
    """
    if not mirror:
        return source.url
    if is_url(mirror):
        return mirror.rstrip("/") + "/" + source.filename
    return str(Path(mirror) / source.filename)


def sums_location(mirror: str) -> str:
    """Where a mirror keeps its `SHA256SUMS`, by the same rule as its files."""
    if is_url(mirror):
        return mirror.rstrip("/") + "/" + SUMS_FILENAME
    return str(Path(mirror) / SUMS_FILENAME)


def parse_sha256sums(text: str, where: str = SUMS_FILENAME) -> dict[str, str]:
    """Parse `sha256sum` output (`<hex>  <name>` or `<hex> *<name>`) into {name: lower-case hex}.

    Blank lines are skipped; anything else that does not match, or a name listed twice with two
    checksums, raises ValueError naming `where` and the line number, because a half-read checksum
    list would silently turn verification off for the files it failed to list.
    """
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _SUMS_LINE.match(line.rstrip("\r"))
        if match is None:
            raise ValueError(f"{where}:{number}: expected '<64 hex digits>  <file name>', got {line!r}")
        name, digest = match["name"], match["hex"].lower()
        if sums.get(name, digest) != digest:
            raise ValueError(f"{where}:{number}: {name!r} is listed again with another checksum")
        sums[name] = digest
    return sums


def expected_sha256(source: Source, mirror_sums: dict[str, str]) -> str | None:
    """The checksum the fetched file must have: the mirror's entry wins, since a mirror may serve
    another edition of the file than the canonical one; else the registry's, else None (unchecked)."""
    digest = mirror_sums.get(source.filename, source.sha256)
    return digest.lower() if digest else None


def unsafe_member_reason(name: str, *, is_link: bool, is_special: bool) -> str | None:
    """Why an archive member must not be extracted, or None when it is safe.

    Members could otherwise write outside the destination (absolute paths, `..`, links pointing
    anywhere) or create devices and FIFOs. Backslashes count as separators too, so an archive
    made on Windows cannot smuggle `..\\` past the check.
    """
    if not name or "\x00" in name:
        return "has an empty name or a NUL byte in its name"
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "has an absolute path"
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        return "has a '..' component that leads outside the destination"
    if is_link:
        return "is a symbolic or hard link"
    if is_special:
        return "is a device, FIFO or other special file"
    return None


MAX_MEMBERS_PARAM = "download.max_members"
MAX_UNPACKED_PARAM = "download.max_unpacked_mb"


def check_archive_limits(max_members: int, max_bytes: int) -> None:
    """Refuse caps that would refuse every archive, or none: a typo in params.yaml, not a policy."""
    if max_members < 1:
        raise ValueError(f"{MAX_MEMBERS_PARAM} must be at least 1, got {max_members!r}")
    if max_bytes < 1:
        raise ValueError(f"{MAX_UNPACKED_PARAM} must allow at least one byte, got {max_bytes!r} bytes")


def archive_limit_reason(members: int, declared_bytes: int, *, max_members: int, max_bytes: int,
                         counted_all: bool = True) -> str | None:
    """Why an archive must not be unpacked, judging by its index alone, or None when it fits.

    Checked before anything is written: a zip bomb declares its size honestly more often than not,
    and refusing it then costs nothing. Directories count as members, since each is a file system
    entry. `counted_all` is False when the reader stopped counting past the cap (tar headers come
    one by one), so `members` is a lower bound.
    """
    if members > max_members:
        found = f"{members:,}" if counted_all else f"at least {members:,}"
        return f"it holds {found} members, more than the limit of {max_members:,} ({MAX_MEMBERS_PARAM})"
    if declared_bytes > max_bytes:
        return (f"its members declare {_size(declared_bytes)} unpacked, more than the limit of "
                f"{_size(max_bytes, MAX_UNPACKED_PARAM)}")
    return None


def unpacked_size_reason(written: int, declared_bytes: int, member: str, *, max_bytes: int) -> str | None:
    """Why unpacking must stop now that `written` bytes are out, or None while within the cap.

    The running check behind `archive_limit_reason`, for headers that understate their sizes.
    """
    if written <= max_bytes:
        return None
    return (f"unpacking {member!r} went past the limit of {_size(max_bytes, MAX_UNPACKED_PARAM)} "
            f"although the archive declares {_size(declared_bytes)} in all")


def _size(n_bytes: int, *notes: str) -> str:
    """Bytes exact (what the archive says) and in MiB (what params.yaml says)."""
    return f"{n_bytes:,} bytes ({', '.join([f'{n_bytes / 2**20:,.1f} MiB', *notes])})"
