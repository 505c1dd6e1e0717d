"""Files that hold residents' answers or codes: readable by the service account only, whatever its umask.

The modes are set with chmod after creating, not left to the process umask: a service started
without `UMask=0077` would otherwise write exports, code lists and photos readable by every
local user. Libraries that write by path (xlsxwriter, pyreadstat, zipfile, sqlite3) are given a
file made here first: they truncate it and keep its mode.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create the folder `path` and its missing parents 0700; folders that exist are left as they are."""
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(FOLDER_MODE)
        except FileExistsError:  # another worker made it meanwhile
            continue
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is filtered through the umask
    return path


def open_private(path: Path, mode: str = "wb", **kwargs) -> IO:
    """Create the file `path` 0600 and open it for writing; FileExistsError when it exists already."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def create_private(path: Path) -> Path:
    """Create the empty file `path` 0600, for a library that then writes it by name."""
    open_private(path).close()
    return path
