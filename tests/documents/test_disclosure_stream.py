"""The disclosure ZIP (Art. 15) is streamed: the memory it takes does not grow with the number
of documents, and what arrives is the whole disclosure (the JSON and every file; the PDF is
made in the background, cases.privacy.exports), byte for byte."""

import gc
import json
import os
import tracemalloc
import zipfile
from pathlib import Path

from caseworks.models import AccessLog
from documents.models import DocumentKind
from documents.sanitise import PDF, Sanitised
from documents.services import document_upload

FILE_SIZE = 512 * 1024


def add_documents(actor, case, count: int, *, first: int = 0) -> dict[str, bytes]:
    """`count` stored files of FILE_SIZE random bytes (random: nothing compresses them), by
    title. Stored through the upload service; sanitising random bytes would refuse them, and
    what the ZIP streams is the stored file, whatever it was made from."""
    person = case.clients.get()
    contents = {}
    for i in range(first, first + count):
        data = os.urandom(FILE_SIZE)
        title = f"Brief {i}"
        document_upload(
            actor=actor,
            case=case,
            upload=Sanitised(data, PDF, 1),
            kind=DocumentKind.AUTHORITY_LETTER,
            title=title,
            client=person if i % 2 else None,  # the person's and the household's
        )
        contents[title] = data
    return contents


def download(client, case, path: Path) -> tuple[object, int]:
    """The response and the peak of memory allocated while it was built and every piece of
    it was read (written to a file, as a server writes it to the connection). The garbage
    collector is off meanwhile: a file's bytes must go when it is written, not when the
    collector happens to come by (it frees reference cycles only now and then)."""
    person = case.clients.get()
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        response = client.get(f"/cases/{case.code}/documents/disclosure/{person.code}.zip")
        with path.open("wb") as out:
            for piece in response.streaming_content:
                out.write(piece)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        gc.enable()
    return response, peak


def test_it_takes_memory_for_one_file_at_a_time_and_holds_every_file(
    client, alice, sam, alice_case, tmp_path
):
    client.force_login(sam)
    contents = add_documents(alice, alice_case, 4)
    _response, few = download(client, alice_case, tmp_path / "few.zip")
    contents |= add_documents(alice, alice_case, 36, first=4)
    response, many = download(client, alice_case, tmp_path / "many.zip")

    # In memory, 36 more files would add 18 MB at least (36 x 512 KB, the archive twice over
    # as it was built). Streamed, one file (its encrypted and decrypted bytes) is held at a
    # time, so the peak is that of the largest file plus the JSON export, for 4 files as for
    # 40.
    growth = many - few
    assert growth < 4 * FILE_SIZE, (few, many)

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(tmp_path / "many.zip") as archive:
        assert archive.testzip() is None  # every member's CRC checks
        names = archive.namelist()
        assert names[:2] == ["LIESMICH.txt", "auskunft.json"]  # the PDF is made separately
        files = [n for n in names if n.startswith("dokumente/")]
        assert len(files) == 40 and len(set(files)) == 40
        assert sorted(archive.read(n) for n in files) == sorted(contents.values())
        data = json.loads(archive.read("auskunft.json"))
        assert {d["title"] for d in data["documents"]} == set(contents)
        # The note and the JSON are compressed, the files (compressed already) stored as
        # they are.
        assert archive.getinfo("LIESMICH.txt").compress_type == zipfile.ZIP_DEFLATED
        assert archive.getinfo("auskunft.json").compress_type == zipfile.ZIP_DEFLATED
        assert {archive.getinfo(n).compress_type for n in files} == {zipfile.ZIP_STORED}


def test_it_keeps_the_headers_and_the_access_log(client, alice, sam, alice_case):
    add_documents(alice, alice_case, 1)
    person = alice_case.clients.get()
    client.force_login(sam)
    response = client.get(f"/cases/{alice_case.code}/documents/disclosure/{person.code}.zip")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="auskunft-{alice_case.reference}-'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert AccessLog.objects.filter(action="client.disclosure.zip").count() == 1
