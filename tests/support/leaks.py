"""Canary secrets and the scans that prove they never show (tests/cli/test_secrets.py,
tests/e2e/test_secrets_e2e.py).

Every canary carries RUN, random per test session: a leak is found in any form (escaped by repr or
JSON, cut short, inside a longer value) and never confused with another run's files in a shared
/tmp.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

RUN = secrets.token_hex(6)
# Quotes, a backslash, a semicolon and non-latin-1 text: the password must survive option files,
# JSON and the wire (UTF-8, as mysql(1) sends it) and be found however it is escaped.
PASSWORD = f"CANARY-pw-7f3a9-{RUN}-q'd\"b\\s;é€"
SECRET_PASSWORD = f"CANARY-sm-7f3a9-{RUN}"
MASTER_PASSWORD = f"CANARY-master-7f3a9-{RUN}-é€'\""
WRONG_PASSWORD = f"CANARY-wrong-7f3a9-{RUN}"
SYSTEM_TMP = Path(tempfile.gettempdir())


def leaks(text: str, extra: tuple[str, ...] = ()) -> list[str]:
    """What of the canaries (any form: RUN is in each) and `extra` secrets `text` holds."""
    return [needle for needle in (RUN, *extra) if needle and needle in text]


def assert_clean(*texts: str, extra: tuple[str, ...] = ()) -> None:
    for text in texts:
        found = leaks(text, extra)
        assert not found, f"secret {found} shown in:\n{text}"


@dataclass
class Files:
    """Where a run could leave a file: HOME and $TMPDIR (per test), the working directory and the
    system temporary directory. `assert_clean` reads every file changed since it was made."""

    home: Path
    tmpdir: Path
    skip: set[Path] = field(default_factory=set)  # the test's own files (the option files it writes)
    skip_dirs: tuple[Path, ...] = ()  # a database server's data directory

    def __post_init__(self) -> None:
        self.tmpdir.mkdir(parents=True, exist_ok=True)
        self.marker = self.tmpdir / ".leak-scan-start"  # find -newer: to the nanosecond
        self.marker.write_text("")
        self.skip.add(self.marker)

    def written(self, path: Path, text: str) -> Path:
        path.write_text(text)
        self.skip.add(path)
        return path

    def journals(self) -> list[Path]:
        """The change journal, wherever it went: $AURORAML_JOURNAL or ~/.local/state."""
        places = [self.home / ".local" / "state" / "auroraml" / "journal.jsonl"]
        if os.environ.get("AURORAML_JOURNAL"):
            places.insert(0, Path(os.environ["AURORAML_JOURNAL"]))
        return [p for p in places if p.is_file()]

    def assert_clean(self, extra: tuple[str, ...] = ()) -> list[Path]:
        """No file created or changed since the test began holds a secret; returns those files."""
        needles = [n.encode() for n in (RUN, *extra) if n]
        seen = []
        for root in dict.fromkeys((self.home, self.tmpdir, Path.cwd(), SYSTEM_TMP)):
            for path in self._recent(root):
                seen.append(path)
                try:
                    data = path.read_bytes()
                except OSError:
                    continue
                found = [n.decode() for n in needles if n in data]
                assert not found, f"{path} holds the secret {found}"
        return seen

    def _recent(self, root: Path):
        """Regular files under `root` changed since the test began (find(1): a walk of a busy /tmp
        in Python costs a second), the test's own and the session machinery's left out."""
        prune: list[str] = []
        for skipped in (*self.skip_dirs, *root.glob("bash_jobs*")):
            prune += ["-path", str(skipped), "-o"]
        test = ["-type", "f", "-newer", str(self.marker), "-size", "-4M", "-print0"]
        args = ["find", str(root), "(", *prune[:-1], ")", "-prune", "-o", *test] if prune else ["find", str(root), *test]
        found = subprocess.run(args, capture_output=True, timeout=60)
        for name in found.stdout.split(b"\0"):
            if name and Path(os.fsdecode(name)) not in self.skip:
                yield Path(os.fsdecode(name))
