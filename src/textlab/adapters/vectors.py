"""Downloaded word vectors (GloVe): the mirror's bz2 of one member, or that member of the canonical zip."""
from __future__ import annotations

import bz2
import io
import zipfile
from pathlib import Path
from typing import TextIO

from textlab import paths
from textlab.corpora import SOURCES, glove_vectors


def open_vectors(path: Path, member: str) -> TextIO:
    """The vectors as text: the mirror's bz2 of one member, or that member of the canonical zip."""
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        if member not in archive.namelist():
            raise ValueError(f"{path}: no member {member!r}; it holds {archive.namelist()}")
        return io.TextIOWrapper(archive.open(member), encoding="utf-8")
    return bz2.open(path, "rt", encoding="utf-8")


def read_vectors(source: str, member: str, vocabulary: list[str]) -> dict[str, list[float]]:
    """The vectors of the vocabulary's words in download@<source>'s file; none at all is an error."""
    path = paths.raw(source) / SOURCES[source].filename
    with open_vectors(path, member) as lines:
        vectors = glove_vectors(lines, set(vocabulary), str(path))
    if not vectors:
        raise ValueError(f"{path}: none of the {len(vocabulary)} vocabulary words has a vector")
    return vectors
