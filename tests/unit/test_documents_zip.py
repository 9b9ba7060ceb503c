"""R-UPLOAD: an Office file's zip judged by the sizes its directory declares, before inflating
(govit.domain.documents.zip_excess, shared by the ledger import and the letters' upload)."""
import io
import zipfile

import pytest

from govit.domain.documents import zip_excess

MIB = 1024 * 1024


def _zip(*entries: tuple[str, bytes]) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def test_ordinary_zip_passes():
    assert zip_excess(_zip(("a.xml", b"<a/>"))) == (None, 4)


@pytest.mark.parametrize("limit, excess", [(3 * MIB - 1, "inflated"), (3 * MIB, None), (3 * MIB + 1, None)])
def test_declared_total_limit(limit, excess):
    """R-UPLOAD: the declared total at the limit passes, one byte over is refused (ratio not judged)."""
    archive = _zip(("a.bin", b"\0" * (3 * MIB)))
    assert zip_excess(archive, max_inflated=limit, max_ratio=10 ** 9)[0] == excess


def test_ratio_of_a_large_entry():
    """R-UPLOAD: 3 MiB of zeros packs to a few KiB, a ratio far past 200: a bomb; the same ratio for
    an entry of at most 1 MiB is not judged."""
    assert zip_excess(_zip(("a.bin", b"\0" * (3 * MIB))))[0] == "inflated"
    assert zip_excess(_zip(("a.bin", b"\0" * MIB)))[0] is None
    assert zip_excess(_zip(("a.bin", b"\0" * (MIB + 1))))[0] == "inflated"


@pytest.mark.parametrize("count, excess", [(2, None), (3, "entries")])
def test_entry_count_limit(count, excess):
    archive = _zip(*[(f"{i}.xml", b"x") for i in range(count)])
    assert zip_excess(archive, max_entries=2)[0] == excess
