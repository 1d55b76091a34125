"""Files and directories only the owner may read: 0700 directories, 0600 files, and checks of both for `doctor`.

Databases, keys and evidence hold personal data and case material; a world-readable var/ gives them to every
account on the machine. `private_umask()` makes everything a process creates afterwards private as well.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE, FILE_MODE = 0o700, 0o600


def private_umask() -> None:
    """Files and directories this process creates from now on are readable by their owner only."""
    os.umask(0o077)


def private_dir(path: str | Path) -> Path:
    """Create `path` (and missing parents) as 0700; an existing directory's mode is left as the operator set it."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def create_private_file(path: str | Path, data: bytes) -> bool:
    """Write `data` to a new 0600 file; False (nothing written) when the file already exists."""
    path = Path(path)
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return True


def touch_private(path: str | Path) -> Path:
    """Make sure `path` exists as a 0600 file before something else (SQLite) opens it with a looser mode."""
    path = Path(path)
    private_dir(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    return path


def loose_mode(path: str | Path) -> str:
    """'' when only the owner may reach `path` (or it is absent); else why not, e.g. 'mode 0644: other accounts …'."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return ""
    if mode & 0o077:
        who = "other accounts" if mode & 0o007 else "its group"
        return f"mode {mode:04o}: {who} can reach it"
    return ""
