"""Download machinery, tested against a real HTTP server on 127.0.0.1: no mocks of the network."""
from __future__ import annotations

import hashlib
import io
import os
import socket
import struct
import tarfile
import threading
import zipfile
from collections import Counter
from collections.abc import Callable
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from textlab.adapters.fetch import extract_archive, fetch, read_mirror_sums
from textlab.corpora import SOURCES, Source
from textlab.fetching import ChecksumMismatch, DownloadError, expected_sha256, is_url, resolve_location

PAYLOAD = bytes(range(256)) * 400
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()
SOURCE = Source("demo", "https://example.org/data/demo.bin", "demo.bin", sha256="ab" * 32)
FAST = {"timeout_s": 5.0, "backoff_s": 0.0, "progress": False}
MiB = 2**20
ROOMY = {"max_members": 100, "max_bytes": MiB}  # caps no small test archive comes near
DOWNLOAD = yaml.safe_load(Path("params.yaml").read_text(encoding="utf-8"))["download"]
# What src/textlab/stages/download.py passes: the caps a real download runs under.
CONFIGURED = {"max_members": DOWNLOAD["max_members"], "max_bytes": int(DOWNLOAD["max_unpacked_mb"] * MiB)}
Route = Callable[[BaseHTTPRequestHandler, int], None]


class _Handler(BaseHTTPRequestHandler):
    """Answers with `server.routes[path](handler, nth request to that path)`; unknown paths get 404."""

    def do_GET(self) -> None:
        self.server.hits[self.path] += 1
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404)
        else:
            route(self, self.server.hits[self.path])

    def log_message(self, *args: object) -> None:
        pass


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _send(handler: BaseHTTPRequestHandler, body: bytes, status: int = 200, length: int | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    handler.end_headers()
    handler.wfile.write(body)  # HTTP/1.0: the connection closes after this


def ok(body: bytes) -> Route:
    return lambda handler, n: _send(handler, body)


def flaky(body: bytes, failures: int, cut: bool = True) -> Route:
    """Fail the first `failures` requests: a body cut short of its Content-Length, or a 503."""
    def route(handler: BaseHTTPRequestHandler, n: int) -> None:
        if n > failures:
            _send(handler, body)
        elif cut:
            _send(handler, body[: len(body) // 3], length=len(body))
        else:
            _send(handler, b"busy", status=503)
    return route


def _serve(request: pytest.FixtureRequest, handler: Callable[..., BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop() -> None:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)

    request.addfinalizer(stop)
    httpd.url = f"http://127.0.0.1:{httpd.server_port}"
    return httpd


@pytest.fixture
def server(request: pytest.FixtureRequest) -> ThreadingHTTPServer:
    httpd = _serve(request, _Handler)
    httpd.routes, httpd.hits = {}, Counter()
    return httpd


def test_download_verifies_and_reports(
    server: ThreadingHTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    server.routes["/demo.bin"] = ok(PAYLOAD)
    target = tmp_path / "out" / "demo.bin"
    digest = fetch(resolve_location(SOURCE, server.url + "/"), target, expected_sha256=PAYLOAD_SHA.upper(),
                   retries=0, **{**FAST, "progress": True})
    assert digest == PAYLOAD_SHA and target.read_bytes() == PAYLOAD
    assert "demo.bin: 100% (102,400 bytes)" in capsys.readouterr().err
    assert os.listdir(target.parent) == ["demo.bin"]


def test_copy_from_mirror_dir_and_file_url(tmp_path: Path) -> None:
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "demo.bin").write_bytes(PAYLOAD)
    for n, mirror in enumerate([str(tmp_path / "mirror"), (tmp_path / "mirror").as_uri()]):
        target = tmp_path / f"out{n}" / "demo.bin"
        digest = fetch(resolve_location(SOURCE, mirror), target, expected_sha256=PAYLOAD_SHA, retries=0, **FAST)
        assert digest == PAYLOAD_SHA
        assert target.read_bytes() == PAYLOAD


def test_checksum_mismatch_keeps_old_target(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    server.routes["/demo.bin"] = ok(PAYLOAD)
    target = tmp_path / "demo.bin"
    target.write_bytes(b"old contents")
    with pytest.raises(ChecksumMismatch) as caught:
        fetch(server.url + "/demo.bin", target, expected_sha256="0" * 64, retries=3, **FAST)
    assert all(part in str(caught.value) for part in ("demo.bin", server.url + "/demo.bin", "0" * 64, PAYLOAD_SHA))
    assert server.hits["/demo.bin"] == 1
    assert target.read_bytes() == b"old contents" and os.listdir(tmp_path) == ["demo.bin"]


def test_cut_transfer_retried_then_given_up(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    server.routes["/demo.bin"] = flaky(PAYLOAD, failures=99)
    target = tmp_path / "demo.bin"
    target.write_bytes(b"old contents")
    with pytest.raises(DownloadError, match=r"truncated transfer: got 34,133 of 102,400 bytes.*after 3 attempt"):
        fetch(server.url + "/demo.bin", target, expected_sha256=None, retries=2, **FAST)
    assert server.hits["/demo.bin"] == 3
    assert target.read_bytes() == b"old contents" and os.listdir(tmp_path) == ["demo.bin"]


@pytest.mark.parametrize("cut", [True, False], ids=["cut-body", "http-503"])
def test_transient_failure_then_success(server: ThreadingHTTPServer, tmp_path: Path, cut: bool) -> None:
    server.routes["/demo.bin"] = flaky(PAYLOAD, failures=1, cut=cut)
    digest = fetch(server.url + "/demo.bin", tmp_path / "d.bin", expected_sha256=PAYLOAD_SHA, retries=2, **FAST)
    assert digest == PAYLOAD_SHA
    assert server.hits["/demo.bin"] == 2


def test_not_found_is_not_retried(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match=r"^demo.bin: .*/missing.bin: HTTP 404"):
        fetch(server.url + "/missing.bin", tmp_path / "demo.bin", expected_sha256=None, retries=5, **FAST)
    with pytest.raises(DownloadError, match="no such file"):
        fetch(str(tmp_path / "missing.bin"), tmp_path / "demo.bin", expected_sha256=None, retries=5, **FAST)
    assert server.hits["/missing.bin"] == 1 and os.listdir(tmp_path) == []


def test_refused_connection_is_retried(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on once it is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DownloadError, match="after 2 attempt"):
        fetch(f"http://127.0.0.1:{port}/x", tmp_path / "x", expected_sha256=None, retries=1, **FAST)


def test_mirror_sums_read_from_url_and_dir(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    sums = f"{PAYLOAD_SHA}  demo.bin\n"
    server.routes["/m/SHA256SUMS"] = ok(sums.encode())
    (tmp_path / "SHA256SUMS").write_text(sums)
    for mirror in (server.url + "/m/", str(tmp_path), tmp_path.as_uri()):
        assert read_mirror_sums(mirror, 5) == {"demo.bin": PAYLOAD_SHA}
    (tmp_path / "bare").mkdir()
    for mirror in (None, server.url + "/bare", str(tmp_path / "bare"), (tmp_path / "bare").as_uri()):
        assert read_mirror_sums(mirror, 5) == {}


def test_mirror_sums_errors(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    server.routes["/bad/SHA256SUMS"] = ok(b"not a checksum line\n")
    server.routes["/down/SHA256SUMS"] = lambda handler, n: _send(handler, b"", status=500)
    with pytest.raises(DownloadError, match=r"/bad/SHA256SUMS:1: expected"):
        read_mirror_sums(server.url + "/bad", 5)
    with pytest.raises(DownloadError, match=r"HTTP 500.*after 2 attempt"):
        read_mirror_sums(server.url + "/down", 5, retries=1, backoff_s=0)
    with pytest.raises(DownloadError, match="no such directory"):
        read_mirror_sums(str(tmp_path / "nowhere"), 5)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def _tar(path: Path, members: dict[str, bytes | str]) -> Path:
    """A str member is a symlink to that string."""
    with tarfile.open(path, "w:" + path.suffix.lstrip(".")) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            if isinstance(data, str):
                info.type, info.linkname = tarfile.SYMTYPE, data
                tf.addfile(info)
            else:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return path


UNSAFE: dict[str, Callable[[Path], Path]] = {
    "zip-dotdot": lambda d: _zip(d / "a.zip", {"ok.txt": b"fine", "../evil": b"x"}),
    "zip-absolute": lambda d: _zip(d / "a.zip", {"ok.txt": b"fine", str(d / "evil"): b"x"}),
    "tar-symlink": lambda d: _tar(d / "a.tar.gz", {"ok.txt": b"fine", "evil": str(d / "target")}),
    "tar-dotdot": lambda d: _tar(d / "a.tar.gz", {"ok.txt": b"fine", "sub/../../evil": b"x"}),
}


@pytest.mark.parametrize("kind", sorted(UNSAFE))
def test_unsafe_archive_refused_whole(tmp_path: Path, kind: str) -> None:
    archive = UNSAFE[kind](tmp_path)
    with pytest.raises(DownloadError, match="refusing member .*evil") as caught:
        extract_archive(archive, tmp_path / "out" / "corpus", **ROOMY)
    assert str(archive) in str(caught.value)
    assert [p.name for p in tmp_path.rglob("*")] == [archive.name]


@pytest.mark.parametrize("name", ["a.zip", "a.tar.gz", "a.tar.bz2"])
def test_safe_archive_extracts_and_replaces(tmp_path: Path, name: str) -> None:
    files = {"names/male.txt": b"Adam\n", "names/female.txt": b"Eve\n", "README": b"hi"}
    if name.endswith(".zip"):
        archive = _zip(tmp_path / name, {"names/": b"", **files})  # with a directory entry, as zip tools write
    else:
        archive = _tar(tmp_path / name, files)
    dest = tmp_path / "corpus"
    dest.mkdir()
    (dest / "stale.txt").write_text("from the last run")
    exactly = {"max_members": len(files) + name.endswith(".zip"), "max_bytes": sum(map(len, files.values()))}
    assert sorted(extract_archive(archive, dest, **exactly)) == sorted(files)  # the caps are inclusive
    assert {p.relative_to(dest).as_posix(): p.read_bytes() for p in dest.rglob("*") if p.is_file()} == files
    assert sorted(os.listdir(tmp_path)) == sorted([name, "corpus"])


def test_real_mirror_names_zip(request: pytest.FixtureRequest, tmp_path: Path, mirror: Path) -> None:
    """Fetch names.zip from the real corpus mirror (the `mirror` fixture: TEXTLAB_MIRROR, or
    ../shared/corpora beside the checkout) and verify it against the mirror's SHA256SUMS, from the
    directory itself and served over HTTP on 127.0.0.1; it must unpack under the configured caps."""
    mirror = str(mirror)
    source, sums = SOURCES["names"], read_mirror_sums(mirror, 10)
    assert source.filename in sums, f"{mirror} lists no checksum for {source.filename}"
    mirrors = [mirror] if is_url(mirror) else [mirror, _serve(request, partial(_QuietFiles, directory=mirror)).url]
    for n, where in enumerate(mirrors):
        target = tmp_path / str(n) / source.filename
        digest = fetch(resolve_location(source, where), target, expected_sha256=expected_sha256(source, sums),
                       retries=1, **FAST)
        assert digest == sums[source.filename]
        unpacked = extract_archive(target, tmp_path / str(n) / "names", **CONFIGURED)
        assert {"names/male.txt", "names/female.txt"} <= set(unpacked)


def test_configured_caps_admit_every_archive_the_registry_unpacks(tmp_path: Path, mirror: Path) -> None:
    for source in (s for s in SOURCES.values() if s.extract):
        assert extract_archive(mirror / source.filename, tmp_path / source.name, **CONFIGURED), source.name


def _understated_zip(path: Path, size: int, claimed: int) -> Path:
    """A zip whose central directory (the index zipfile trusts) claims `claimed` bytes for a `size`-byte member."""
    data = bytearray(_zip(path, {"zeros.bin": bytes(size)}).read_bytes())
    entry = data.rindex(b"PK\x01\x02")  # the central directory header of the one member
    assert struct.unpack_from("<I", data, entry + 24) == (size,)  # its uncompressed size field
    struct.pack_into("<I", data, entry + 24, claimed)
    path.write_bytes(data)
    return path


BOMBS: dict[str, tuple[Callable[[Path], Path], str]] = {
    # 50 MiB of zeros compress to ~50 KB: refused by the declared size alone.
    "zip-bomb": (lambda d: _zip(d / "bomb.zip", {"zeros.bin": bytes(50 * MiB)}), "declare 52,428,800 bytes (50.0 MiB)"),
    "tar-bomb": (lambda d: _tar(d / "bomb.tar.gz", {"zeros.bin": bytes(50 * MiB)}),
                 "declare 52,428,800 bytes (50.0 MiB)"),
    "zip-members": (lambda d: _zip(d / "many.zip", {f"{i}.txt": b"x" for i in range(13)}), "it holds 13 members"),
    # tar headers are read only up to the cap, so the count is a lower bound
    "tar-members": (lambda d: _tar(d / "many.tar.gz", {f"{i}.txt": b"x" for i in range(13)}),
                    "it holds at least 11 members"),
}


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_oversized_archive_refused_before_writing(tmp_path: Path, kind: str) -> None:
    build, words = BOMBS[kind]
    archive = build(tmp_path)
    assert archive.stat().st_size < 100_000
    dest = tmp_path / "out" / "corpus"
    with pytest.raises(DownloadError) as caught:
        extract_archive(archive, dest, max_members=10, max_bytes=10 * MiB)
    message = str(caught.value)
    assert message.startswith(f"{archive}: refusing to extract: ") and message.endswith("; nothing was extracted")
    assert words in message
    assert [p.name for p in tmp_path.rglob("*")] == [archive.name]  # not even dest's folder was made


def test_member_larger_than_its_header_says_is_stopped(tmp_path: Path) -> None:
    """The index claims 1,000 bytes, so the declared-size check passes; 50 MiB follow.

    CPython's zipfile stops reading at the claimed size and then fails the CRC, before our running
    byte count (the backstop for a reader that trusts the stream) is reached; either way extraction
    stops, nothing is kept and the previous extraction stays.
    """
    archive = _understated_zip(tmp_path / "liar.zip", 50 * MiB, claimed=1_000)
    dest = tmp_path / "corpus"
    dest.mkdir()
    (dest / "stale.txt").write_text("from the last run")
    stopped = r"liar\.zip: (cannot extract: Bad CRC-32|refusing to extract: unpacking 'zeros\.bin' went past)"
    with pytest.raises(DownloadError, match=stopped):
        extract_archive(archive, dest, max_members=10, max_bytes=10 * MiB)
    assert sorted(os.listdir(tmp_path)) == ["corpus", "liar.zip"]
    assert os.listdir(dest) == ["stale.txt"]
