"""Hostile files through the real pages (issue 35): each must be refused within a second and
in bounded memory. Each is sent in a process of its own, so that the process's peak RSS
(ru_maxrss) is the refusal's. Not part of `make test` or `make bench`:

    .venv/bin/python -m tests.bench.bombs

- the XLSX bomb (4.9 KB: a sheet declaring A1:XFD1048576) and the other hostile import
  files of tests/cases/test_import_hostile.py, POSTed to /manage/import/ by an administrator;
- 30 PNGs of 7,900 x 7,900 pixels (about 60 KB each, 62 MP: the outside testers' photo bomb)
  and 30 of 6,000 x 6,000 (each under the cap for one file, together far over the budget of
  one upload), POSTed to a case's documents/new/ by its caseworker.

The first run builds var/bench/bombs.sqlite3 (migrated: an administrator, a team, a
caseworker with a case). One line a file: its size, the answer (status, the German reason
found on the page, nothing saved), the request's seconds, and the process's peak RSS
before the request (Django loaded, the page rendered once) and after it.
"""

import argparse
import gc
import json
import os
import resource
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from tests.bench.disclosure_pdf_bench import TEST_ENV

ROOT = Path(__file__).resolve().parents[2]
DATABASE = ROOT / "var" / "bench" / "bombs.sqlite3"
PHOTOS = 30  # documents.sanitise.MAX_FILES: the most one upload may hold
SECONDS = 1.0  # the goal: refused within a second


def png(side: int) -> bytes:
    """A genuine, complete side x side greyscale PNG, all black: 62 MP in about 60 KB at
    7,900. Compressed a row band at a time, so making it costs no memory worth measuring."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    compressor = zlib.compressobj(9)
    band = b"\x00" * (side + 1) * 100  # 100 rows: the filter byte and the pixels of each
    parts = [compressor.compress(band) for _rows in range(side // 100)]
    parts += [compressor.compress(b"\x00" * (side + 1) * (side % 100)), compressor.flush()]
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"".join(
        [b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", header), chunk(b"IDAT", b"".join(parts))]
        + [chunk(b"IEND", b"")]
    )


PHOTO_BOMBS = {
    f"{PHOTOS} PNGs of 7,900 x 7,900": (7900, "Das Bild ist zu groß"),
    f"{PHOTOS} PNGs of 6,000 x 6,000": (6000, "Die Fotos sind zusammen zu groß"),
}


def _django() -> None:
    os.environ.update(TEST_ENV)
    os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseworks.settings")
    import django

    django.setup()


def build_database() -> None:
    # Imported here and below: models can be imported only after django.setup().
    from tests.helpers import make_team, make_user, open_case

    team = make_team("a")
    make_user("bomb-admin", "admin", first_name="Ada", last_name="Admin")
    caseworker = make_user("bomb-cw", "caseworker", first_name="Clara", last_name="Weber")
    team.members.add(caseworker)
    open_case(caseworker, team)


def one(kind: str) -> dict:
    """In this (fresh) process: send the file once, as a browser would."""
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client as HttpClient
    from django.test.utils import setup_test_environment

    from cases.models import Case
    from cases.models.imports import ImportRun
    from documents.models import Document
    from tests.cases.test_import_hostile import HOSTILE

    setup_test_environment()
    client = HttpClient(HTTP_ACCEPT_LANGUAGE="de")
    saved: Callable[[], int]
    if kind in PHOTO_BOMBS:
        side, reason = PHOTO_BOMBS[kind]
        case = Case.objects.get()
        client.force_login(User.objects.get(username="bomb-cw"))
        url = f"/cases/{case.code}/documents/new/"
        picture = png(side)
        size = PHOTOS * len(picture)
        payload = {
            "kind": "other",
            "title": "Bescheid",
            "file": [
                SimpleUploadedFile(f"seite-{n}.png", picture, content_type="image/png")
                for n in range(PHOTOS)
            ],
        }
        saved = Document.objects.count
    else:
        name, build, reason = HOSTILE[kind]
        client.force_login(User.objects.get(username="bomb-admin"))
        url = "/manage/import/"
        data = build()
        size = len(data)
        payload = {"file": SimpleUploadedFile(name, data)}
        saved = ImportRun.objects.count
    assert client.get(url).status_code == 200  # the page once: code, templates, session
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.post(url, payload)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    page = response.content.decode()
    return {
        "file": kind,
        "kb": round(size / 1024, 1),
        "status": response.status_code,
        "reason_shown": reason in page,
        "saved": saved(),
        "seconds": round(seconds, 3),
        "rss_before_mb": round(before / 1024),
        "rss_peak_mb": round(after / 1024),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        _django()
        print(json.dumps(one(args.one)))
        return 0
    new = not DATABASE.exists()
    DATABASE.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        env={**os.environ, **TEST_ENV, "DATABASE_URL": f"sqlite:///{DATABASE}"},
        cwd=ROOT,
        check=True,
    )
    _django()
    if new:
        build_database()
    from tests.cases.test_import_hostile import HOSTILE  # after django.setup(), as above

    failed = []
    for kind in [*HOSTILE, *PHOTO_BOMBS]:
        done = subprocess.run(
            [sys.executable, "-m", "tests.bench.bombs", "--one", kind],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            sys.exit(done.stderr[-3000:])
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(json.dumps(result, ensure_ascii=False), flush=True)
        refused = result["status"] == 200 and result["reason_shown"] and not result["saved"]
        if not refused or result["seconds"] > SECONDS:
            failed.append(kind)
    if failed:
        print(f"FAILED (not refused within {SECONDS:.0f} s): {', '.join(failed)}")
        return 1
    print(f"OK: every file refused within {SECONDS:.0f} s, nothing saved")
    return 0


if __name__ == "__main__":
    sys.exit(main())
