"""The instance folder and an SQLite database are private to the account that runs Caseworks.

The instance folder (settings.VAR_DIR, `var/`) holds the development keys and, by default,
the SQLite database: every case file in one file. Created under the usual umask 022 they
would be readable by every local account (the folder 0755, the database 0644). Here the
folder loses its group and other permissions when the app starts (0700), and the database
file with its companions (`-wal`, `-shm`, `-journal`) each time a connection opens (0600).
SQLite creates the companions with the database file's permissions, so they stay private.

Only group and other permissions are taken away: nothing is ever loosened, the owner's bits
are kept, and a file or folder that is not there is left alone. When the account may not
change them (another owner), a warning says so and the app still starts.
"""

import logging
import os
import stat
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def make_private(path: Path) -> None:
    """Remove group and other permissions from `path`, if it exists and has any."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if not mode & 0o077:
        return
    try:
        os.chmod(path, mode & ~0o077)
    except OSError as e:
        logger.warning("Cannot make %s private (it is %o): %s", path, mode, e)


def secure_instance_folder() -> None:
    """The instance folder 0700 (from 0755). Called when the app starts."""
    make_private(Path(settings.VAR_DIR))


def sqlite_file(connection: Any) -> Path | None:
    """The database file of an SQLite connection; None for other databases and in memory."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return None
    return Path(connection.settings_dict["NAME"])


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: an SQLite database file (and its companions) 0600, its instance
    folder 0700. A few stat calls per connection; chmod only when something is open."""
    path = sqlite_file(connection)
    if path is None:
        return
    secure_instance_folder()
    for suffix in SQLITE_COMPANIONS:
        make_private(path.with_name(path.name + suffix))
