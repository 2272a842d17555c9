"""Scratch and retired copies beside an output, and the sweeping up of those a killed process left.

A result ``PARENT/NAME`` is written as ``PARENT/.NAME.partial-PID-XXXX`` and renamed into place; the result
it replaces is first moved into ``PARENT/.NAME.old-PID-XXXX``. The PID in the name is the writer's. Normal
exits and exceptions (Ctrl-C and SIGTERM included: the command line turns SIGTERM into an exception) remove
both. A process killed with SIGKILL cannot; the next command that takes the output's lock
(:mod:`sim.results.locks`) finds them with :func:`sweep_leftovers` and removes those whose process is gone,
saying so on stderr. When a kill fell between the two renames of a replacement, the previous result is
restored from its ``.old-`` copy rather than deleted.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from sim.held_signals import deferred_signals

__all__ = ["make_scratch", "replace_directory", "sweep_leftovers"]

PARTIAL = "partial"
OLD = "old"


def _prefix(target: Path, role: str) -> str:
    return f".{target.name}.{role}-{os.getpid()}-"


def make_scratch(target: Path, role: str = PARTIAL) -> Path:
    """Create ``.NAME.ROLE-PID-XXXX`` beside ``target`` (a directory, permissions as for ``mkdir``)."""
    scratch = Path(tempfile.mkdtemp(prefix=_prefix(target, role), dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    scratch.chmod(0o777 & ~umask)
    return scratch


def _retire(target: Path) -> Path:
    """Move ``target`` into a new ``.NAME.old-PID-XXXX`` beside it; return that directory."""
    retired = make_scratch(target, OLD)
    os.replace(target, retired / target.name)
    return retired


def replace_directory(scratch: Path, target: Path) -> None:
    """Rename ``scratch`` to ``target``, retiring what was there; no signal can fall between the renames.

    When the second rename fails, the retired ``target`` is put back. ``scratch`` and the retired copy are
    gone when this returns or raises.
    """
    retired = None
    try:
        with deferred_signals():
            retired = _retire(target) if target.exists() else None
            try:
                os.replace(scratch, target)
            except BaseException:
                if retired is not None:
                    os.replace(retired / target.name, target)
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(name)}\.({PARTIAL}|{OLD})-(?:(\d+)-)?[A-Za-z0-9_]+(\.[A-Za-z]+)?")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_leftovers(target: Path) -> list[Path]:
    """Remove scratch and retired copies of ``target`` whose writer is dead; return what was removed.

    Call it only while holding the output's lock: no live writer of ``target`` can then be writing them
    (copies named without a PID come from versions before the lock and are removed too). A retired copy is
    moved back to ``target`` when ``target`` is missing. Each action is reported on stderr.
    """
    pattern = _pattern(target.name)
    removed = []
    for path in sorted(target.parent.iterdir()) if target.parent.is_dir() else []:
        match = pattern.fullmatch(path.name)
        if match is None or (match.group(2) is not None and _alive(int(match.group(2)))):
            continue
        who = f"process {match.group(2)}" if match.group(2) else "an earlier version"
        kept = path / target.name
        if match.group(1) == OLD and kept.is_dir() and not target.exists():
            os.replace(kept, target)
            _say(f"restored {target} from {path}, left by {who} that was killed while replacing it")
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        _say(f"removed {path}, left by {who} that is no longer running")
        removed.append(path)
    return removed


def _say(message: str) -> None:
    print(f"note: {message}", file=sys.stderr, flush=True)
