"""Record the README's terminal session: real auroraml commands on a fresh sandbox, at an 80x24
terminal, written as an asciicast v2 file (docs/session.cast: `asciinema play docs/session.cast`)
and as a plain transcript (docs/session.md) the README links to.

    .venv/bin/python tools/record_session.py

It runs `auroraml sandbox run -- python tools/record_session.py --inside`, so the commands see
exactly what a user's `sandbox run` gives them; inside, each command of SESSION runs in its own
pseudo-terminal (colours, live lines and the terminal width as a user sees them). Every command
recorded is one the README shows (tests/docs/test_session.py checks it, and that the transcript is
the recording's text).
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CAST = ROOT / "docs" / "session.cast"
TRANSCRIPT = ROOT / "docs" / "session.md"
WIDTH, HEIGHT = 80, 24

# What a DBA does on day one, in the README's words.
SESSION = (
    "auroraml setup comprehend --cluster ml-demo --dry-run",
    "auroraml setup comprehend --cluster ml-demo --reboot --yes",
    "auroraml grant comprehend analyst@'10.0.%' --cluster ml-demo",
    "auroraml check --cluster ml-demo --service comprehend --user 'analyst@10.0.%' --probe",
    "auroraml status --cluster ml-demo",
    "auroraml history --cluster ml-demo",
)

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]")


def plain(text: str) -> str:
    """What the terminal shows once the escapes are applied, for a transcript: colours dropped,
    carriage-return redraws (live lines) resolved to their last state."""
    lines = []
    for line in ANSI.sub("", text).replace("\r\n", "\n").split("\n"):
        lines.append(line.rsplit("\r", 1)[-1])
    return "\n".join(lines)


def _run_in_pty(command: str, env: dict[str, str], clock) -> list[list]:
    events: list[list] = []
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    proc = subprocess.Popen(["bash", "-c", command], stdin=slave, stdout=slave, stderr=slave, env=env,
                            close_fds=True, start_new_session=True)
    os.close(slave)
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the last writer closed the terminal
            break
        if not chunk:
            break
        events.append([clock(), "o", chunk.decode("utf-8", "replace")])
    os.close(master)
    code = proc.wait()
    if code not in (0,):
        sys.exit(f"{command!r} exited {code}; the session records commands that succeed")
    return events


def inside() -> None:
    start = time.monotonic()

    def clock() -> float:
        return round(time.monotonic() - start, 3)

    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(WIDTH), "LINES": str(HEIGHT)}
    env.pop("NO_COLOR", None)
    events: list[list] = []
    for command in SESSION:
        events.append([clock(), "o", f"\x1b[1m$ {command}\x1b[0m\r\n"])
        events += _run_in_pty(command, env, clock)
    header = {"version": 2, "width": WIDTH, "height": HEIGHT, "env": {"TERM": "xterm-256color", "SHELL": "/bin/bash"},
              "title": "auroraml on a fresh sandbox"}
    CAST.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [header, *events]) + "\n")
    text = plain("".join(e[2] for e in events)).rstrip() + "\n"
    TRANSCRIPT.write_text(
        "# A recorded session\n\n"
        "The README's day-one commands on a fresh sandbox, at an 80-column terminal, recorded by\n"
        "`tools/record_session.py` (the same recording, with colours and timing: `asciinema play\n"
        "docs/session.cast`). Progress lines are on stderr and the payload on stdout; a terminal\n"
        "shows both.\n\n```console\n" + text + "```\n")


def main() -> None:
    if sys.argv[1:] == ["--inside"]:
        inside()
        return
    auroraml = Path(sys.executable).with_name("auroraml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AURORAML_", "AWS_"))}
    env["PATH"] = f"{auroraml.parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run([str(auroraml), "sandbox", "run", "--port", "0", "--", sys.executable, __file__, "--inside"],
                          env=env, cwd=ROOT)
    if done.returncode:
        sys.exit(done.returncode)
    print(f"wrote {CAST.relative_to(ROOT)} and {TRANSCRIPT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
