"""completions/: the shipped scripts are what tools/completions.py renders from the tree today; each, loaded in a real
shell (bash always; zsh and fish when installed), completes commands, options and values without
starting the program, and asks `auroraml completion clusters` only for --cluster. zsh and fish are
also checked for their structure, so a machine without them still sees every command, option and
choice of the tree in their scripts.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tools import completions, tree
from tools.gen_docs import GENERATORS, SHARE

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = {"bash": SHARE + "completions/auroraml.bash", "zsh": SHARE + "completions/_auroraml",
           "fish": SHARE + "completions/auroraml.fish"}
BASH = ROOT / SCRIPTS["bash"]
NODES = completions.command_nodes()  # the tree the scripts are made from: each command with the global options too
SERVICES = ["bedrock", "comprehend", "sagemaker", "s3", "lambda"]
SYSTEM_PATH = "/usr/bin:/bin"


def _auroraml() -> str:
    path = Path(sys.executable).parent / "auroraml"
    assert path.exists(), f"{path} is missing: pip install -e . in the venv"
    return str(path)


@pytest.mark.parametrize("name", SCRIPTS.values())
def test_committed_script_is_what_the_tree_renders(name):
    assert (ROOT / name).read_text() == GENERATORS[name](), f"{name} is out of date: run `python tools/gen_docs.py`"


@pytest.mark.parametrize("shell", SCRIPTS)
def test_completion_command_prints_the_committed_script(cli, shell):
    assert cli("completion", shell).stdout == (ROOT / SCRIPTS[shell]).read_text()


def test_the_check_mode_names_no_completion_script():
    from tools.gen_docs import drifted

    assert [name for name in drifted() if name.startswith(SHARE + "completions/")] == []


# In real shells: bash always; zsh and fish when installed -------------------------------------

ZSH_INIT = r"""fpath=(@DIR@ $fpath)
PROMPT= RPROMPT=
autoload -U compinit && compinit -u -D
bindkey '^I' complete-word
_marker() { print -r -- $'\0' }
compprefuncs=(_marker)
comppostfuncs=(_marker exit)
compadd() {  # print the matches instead of offering them
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
  local -a hits
  builtin compadd -A hits "$@"
  (( $#hits )) && print -rl -- $IPREFIX${^hits}
}
print ok
"""
# Types a line and TAB into an interactive zsh on a pseudo-terminal; prints what lies between the markers.
ZSH_DRIVER = r"""main() {
  zmodload zsh/zpty || return 3
  zpty z zsh -f -i
  zpty -w z "source ${(q)1}"
  local line
  repeat 20; do zpty -r z line; [[ $line == ok* ]] && break; done
  zpty -w z "$2"$'\t'
  integer seen=0
  while zpty -r z; do :; done | while IFS= read -r line; do
    if [[ $line == *$'\0'* ]]; then (( seen++ )) && return 0 || continue; fi
    (( seen )) && print -r -- ${line%$'\r'}
  done
  return 2
}
main "$@"
"""


def _shell(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if name == "bash":
            pytest.fail("bash is not installed")
        pytest.skip(f"{name} is not installed (Debian: apt-get install {name})")
    return path


def complete(shell: str, line: str, env: dict[str, str], cwd: Path | None = None) -> list[str]:
    """What TAB at the end of `line` offers in a real `shell`, sorted."""
    _shell(shell)
    if shell == "bash":  # as readline splits it: at blanks and at "="
        words = re.sub(r"(?<=\S)=", " = ", line).split(" ")
        script = (f"source {shlex.quote(str(BASH))}\n"
                  f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)}) COMP_CWORD={len(words) - 1}\n"
                  f"COMP_LINE={shlex.quote(line)} COMP_POINT={len(line)}\n"
                  '_auroraml\nprintf "%s\\n" "${COMPREPLY[@]}"\n')
        argv = ["bash", "--norc", "--noprofile", "-c", script]
    elif shell == "zsh":
        init = Path(env["HOME"]) / "init.zsh"
        init.write_text(ZSH_INIT.replace("@DIR@", str(ROOT / SHARE / "completions")))
        argv = ["zsh", "-f", "-c", ZSH_DRIVER, "zsh", str(init), line]
    else:
        argv = ["fish", "--no-config", "-c", f"source {ROOT / SCRIPTS['fish']}; complete -C {shlex.quote(line)}"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return sorted({entry.split("\t")[0] for entry in done.stdout.splitlines() if entry})


def test_bash_script_parses():
    done = subprocess.run([_shell("bash"), "-n", str(BASH)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def spy(tmp_path):
    """PATH with an `auroraml` that only records that it ran: static completions must not run it."""
    bin_dir, log = tmp_path / "spy-bin", tmp_path / "spy.log"
    bin_dir.mkdir()
    (bin_dir / "auroraml").write_text(f'#!/bin/sh\necho "$@" >> {shlex.quote(str(log))}\n')
    (bin_dir / "auroraml").chmod(0o755)
    yield {"PATH": f"{bin_dir}:{SYSTEM_PATH}", "HOME": str(tmp_path), "TERM": "dumb"}
    assert not log.exists(), f"a static completion ran auroraml: {log.read_text()}"


STATIC = [
    ("auroraml se", ["setup"]),
    ("auroraml ", [c.path[-1] for c in NODES[0].subcommands]),
    ("auroraml setup ", SERVICES),
    ("auroraml teardown c", ["comprehend"]),
    ("auroraml check --ser", ["--service"]),
    ("auroraml check -s ", SERVICES),
    ("auroraml -o ", ["table", "json", "prometheus"]),
    ("auroraml ddl ", ["sagemaker", "bedrock"]),
    ("auroraml ddl bedrock --sql-security ", ["DEFINER", "INVOKER"]),
    ("auroraml ddl bedrock --w", ["--wrapper"]),
    ("auroraml sandbox ", ["start", "run"]),
    ("auroraml completion install ", ["bash", "zsh", "fish"]),
    ("auroraml export --encryption s", ["sse_s3", "sse_kms"]),
    # global options and their values are stepped over: "setup" here is a region, not the command
    ("auroraml -v --region setup -o json teardown s", ["sagemaker", "s3"]),
    ("auroraml --profile p -vv --no-", ["--no-color"]),
    ("auroraml grant bedrock ", []),  # USER[@HOST]: nothing to offer
    # global options work after the command too (cli.global_options_first): TAB offers them there
    ("auroraml setup comprehend --cluster x --end", ["--endpoint", "--endpoint-url"]),
    ("auroraml status -o ", ["table", "json", "prometheus"]),
    ("auroraml export --que", []),  # after export, --query is export's own (deprecated) option: not offered
    ("auroraml setup --role-name ", []),  # free text
]


@pytest.mark.parametrize("shell", SCRIPTS)
@pytest.mark.parametrize("line, expected", STATIC)
def test_static_words_come_from_the_script_alone(spy, shell, line, expected):
    assert complete(shell, line, spy) == sorted(expected)


@pytest.mark.parametrize("line, expected", [
    ("auroraml --output=j", ["json"]),  # bash sees `--output`, `=`, `j`
    ("auroraml check --service=s", ["s3", "sagemaker"]),
])
def test_bash_completes_the_value_after_an_equals_sign(spy, line, expected):
    assert complete("bash", line, spy) == expected


@pytest.mark.parametrize("shell", SCRIPTS)
def test_file_options_complete_paths(spy, tmp_path, shell):
    (tmp_path / "auroraml.toml").write_text("")
    (tmp_path / "ca-bundle.pem").write_text("")
    assert complete(shell, "auroraml --config aur", spy, cwd=tmp_path) == ["auroraml.toml"]
    assert complete(shell, "auroraml status --ssl-ca ca", spy, cwd=tmp_path) == ["ca-bundle.pem"]


def _cache(base: Path, profile: str, region: str, ids: list[str], age: float = 0.0, endpoint: str = "") -> Path:
    path = base / "auroraml" / f"clusters-{profile}-{region}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"time": time.time() - age, "endpoint": endpoint, "clusters": ids}))
    return path


@pytest.fixture
def offline(tmp_path):
    """The environment of a shell whose AWS is unreachable (a closed port), with its own cache dir."""
    return {
        "PATH": f"{Path(_auroraml()).parent}:{SYSTEM_PATH}", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "AWS_PROFILE": "tab", "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true", "TERM": "dumb",
    }


@pytest.mark.parametrize("shell", SCRIPTS)
def test_cluster_ids_come_from_the_cache(offline, tmp_path, shell):
    """`--cluster <TAB>` runs the installed auroraml; a fresh cache answers with no AWS call (AWS is
    unreachable here), and the global --profile/--region typed before the command choose the cache."""
    base = tmp_path / "cache"
    _cache(base, "tab", "eu-west-1", ["ml-demo", "legacy-v2"], endpoint="http://127.0.0.1:9")
    _cache(base, "dba", "us-west-2", ["orders-prod"], endpoint="http://127.0.0.1:9")
    assert complete(shell, "auroraml setup comprehend --cluster ", offline) == ["legacy-v2", "ml-demo"]
    assert complete(shell, "auroraml -v status --cluster le", offline) == ["legacy-v2"]
    assert complete(shell, "auroraml --profile dba --region=us-west-2 -o json check --cluster ", offline) == ["orders-prod"]


def test_clusters_prints_nothing_when_aws_is_unreachable(offline, tmp_path):
    """A missing or stale cache and no AWS: no ids, no error, exit 0 (a TAB shows nothing)."""
    for cached in (None, ["gone-cluster"]):
        if cached:
            _cache(tmp_path / "cache", "tab", "eu-west-1", cached, age=3600, endpoint="http://127.0.0.1:9")
        done = subprocess.run([_auroraml(), "completion", "clusters"], capture_output=True, text=True, env=offline, timeout=60)
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


# zsh and fish: not installed here, so their structure ----------------------------------------

def _zsh_name(node: tree.Command) -> str:
    return "_" + "_".join(node.path).replace("-", "_")


def _zsh_function(text: str, node: tree.Command) -> str:
    name = _zsh_name(node)
    match = re.search(rf"^{name}\(\) {{\n(.*?)^}}$", text, re.S | re.M)
    assert match, f"no {name}() in the zsh script"
    return match.group(1)


def test_zsh_script_has_every_command_option_and_choice():
    text = (ROOT / SCRIPTS["zsh"]).read_text()
    assert text.startswith("#compdef auroraml\n") and completions.HEADER in text
    for node in NODES:
        body = _zsh_function(text, node)
        for option in node.options:
            assert all(re.search(rf"[{{,'*)]{re.escape(n)}[=+,}}\[]", body) for n in option.names), (node.name, option.names)
            if option.completes == "cluster":
                assert f"{option.names[0]}=[" in body and ":_auroraml_clusters'" in body
        for sub in node.subcommands:
            assert f"'{sub.path[-1]}:" in body and f"{sub.path[-1]}) {_zsh_name(sub)} " in body
        for argument in node.arguments:
            assert " ".join(argument.choices) in body
    assert "'1:service:(bedrock comprehend sagemaker s3 lambda)'" in text
    assert "'(-o --output)'{-o+,--output=}" in text and ":(table json prometheus)'" in text


def test_fish_script_has_one_line_per_option_of_each_command():
    lines = (ROOT / SCRIPTS["fish"]).read_text().splitlines()
    assert completions.HEADER in lines[0]
    for node in NODES:
        at = f"-n '__auroraml_at \"{completions.key(node)}\"' "
        option_lines = [line for line in lines if at in line and re.search(r" -[sl] ", line)]
        assert len(option_lines) == len(node.options), node.name
        for line, option in zip(option_lines, node.options):
            flags = [f"-s {n[1:]}" if len(n) == 2 else f"-l {n[2:]}" for n in option.names]
            assert all(f" {f} " in line for f in flags), (line, option.names)
            assert ("-a '(__auroraml_clusters)'" in line) == (option.completes == "cluster")
            assert (" -r -F " in line) == (option.completes == "file")
        for sub in node.subcommands:
            assert any(at in line and f" -a {sub.path[-1]} -d " in line for line in lines), sub.name
        for i, argument in enumerate(node.arguments):
            if argument.choices:
                assert f"""complete -c auroraml -n '__auroraml_at "{completions.key(node)}" {i}' -a '{" ".join(argument.choices)}'""" in lines


def test_scripts_never_run_python_for_static_words():
    """Only the cluster helpers call the program."""
    for name in SCRIPTS.values():
        calls = [line for line in (ROOT / name).read_text().splitlines() if re.search(r"\bauroraml (\S+ )*completion clusters", line)
                 and not line.lstrip().startswith("#")]
        assert len(calls) == 1 and "command auroraml" in calls[0], (name, calls)

