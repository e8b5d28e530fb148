"""The README's "Your own data" example runs as written: its `score.py`, its command, its output."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path


from .conftest import AURORAML

README = Path(__file__).resolve().parents[2] / "README.md"


def section() -> str:
    text = README.read_text()
    return re.split(r"\n#{2,4} ", text.split("#### Your own data\n", 1)[1], maxsplit=1)[0]


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", section(), re.S)


def run_example(tmp_path: Path, script: str) -> subprocess.CompletedProcess:
    (command,) = [line for line in blocks("bash")[0].splitlines() if line.strip()]
    (tmp_path / "score.py").write_text(script)
    # "in the venv": auroraml and python are the ones this test suite runs.
    env = {**os.environ, "PATH": f"{Path(AURORAML).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("AWS_ENDPOINT_URL", None)
    return subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=240)


def test_the_section_shows_a_script_a_command_and_its_output():
    (script,), (output,) = blocks("python"), blocks("text")
    assert "to_sql(" in script and "aws_comprehend_detect_sentiment(" in script and "read_sql(" in script
    assert len(output.splitlines()) == 4


def test_the_readme_own_data_example_prints_what_the_readme_shows(tmp_path):
    (script,), (output,) = blocks("python"), blocks("text")
    done = run_example(tmp_path, script)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == output


def test_the_scoring_half_of_the_example_runs_today(tmp_path):
    """The same script with the rows loaded through the DBAPI instead of to_sql: the Aurora ML
    half (setup, the endpoint found through RDS and the managed secret, scoring) works today."""
    (script,), (output,) = blocks("python"), blocks("text")
    load = ('reviews.to_sql("reviews", engine, index=False, if_exists="replace")\n')
    assert load in script
    instead = ('connection = engine.raw_connection()\n'
               'connection.cursor().execute("CREATE TABLE reviews (id BIGINT, review TEXT)")\n'
               'connection.cursor().executemany("INSERT INTO reviews VALUES (%s, %s)", '
               'list(reviews.itertuples(index=False, name=None)))\n'
               'connection.commit()\n')
    done = run_example(tmp_path, script.replace(load, instead))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == output
