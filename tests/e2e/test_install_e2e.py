"""`pip install .` into a fresh virtualenv (what pipx does) gives a working auroraml whose
completions and man page install with one command each — no repository needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARE = ROOT


def test_a_wheel_in_a_fresh_venv_works_and_installs_completions_and_the_man_page(tmp_path):
    pip = [sys.executable, "-m", "pip"]
    subprocess.run([*pip, "wheel", "-q", "--no-deps", str(ROOT), "-w", str(tmp_path / "dist")], check=True,
                   capture_output=True)
    wheel = next((tmp_path / "dist").glob("auroraml-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True, capture_output=True)
    home = tmp_path / "home"
    env = {"HOME": str(home), "PATH": f"{venv / 'bin'}:/usr/bin:/bin", "SHELL": "/bin/bash"}

    def run(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([str(venv / "bin" / "auroraml"), *args], env=env, cwd=tmp_path, capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr
        return done

    assert run("--version").stdout.startswith("auroraml ")
    assert "CREATE FUNCTION" in run("ddl", "sagemaker", "a.b", "--endpoint", "e", "--arg", "x:INT", "--returns",
                                    "DOUBLE", "--aurora-version", "3.06.0").stdout
    assert run("completion", "bash").stdout == (SHARE / "completions" / "auroraml.bash").read_text()
    run("completion", "install")
    assert (home / ".local/share/bash-completion/completions/auroraml").read_text() == \
        (SHARE / "completions" / "auroraml.bash").read_text()
    run("man", "--install")
    # The wheel holds the package alone: the generators (tools/) stay in the repository.
    import zipfile

    assert {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()} == {
        "auroraml_cli", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    assert (home / ".local/share/man/man1/auroraml.1").read_text() == (SHARE / "man" / "auroraml.1").read_text()
