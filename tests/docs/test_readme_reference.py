"""The README's reference section is what the command tree renders (tools/readme_reference.py):
every command and every visible option is in it, and it is up to date."""

from __future__ import annotations

from tools import readme_reference, tree


def test_the_readme_reference_is_up_to_date():
    assert readme_reference.README.read_text() == readme_reference.render(), \
        "README.md's reference section is out of date: run `python tools/gen_docs.py`"


def test_every_command_and_option_is_in_the_reference():
    text = readme_reference.README.read_text()
    section = text.split(readme_reference.START, 1)[1].split(readme_reference.END, 1)[0]
    root = tree.build()
    for cmd in tree.walk(root):
        if cmd.subcommands and cmd is not root:
            continue
        if cmd is not root:
            assert f"### `{cmd.name}`" in section, cmd.name
        for opt in cmd.options:
            if opt.names == ["-h", "--help"]:  # every command has it; the section says so once
                continue
            for name in opt.names:
                assert f"`{name}`" in section, f"{cmd.name} {name}"


def test_the_section_is_generated_once_and_ends_the_readme_text_it_replaces():
    text = readme_reference.README.read_text()
    assert text.count(readme_reference.START) == 1 and text.count(readme_reference.END) == 1
    assert readme_reference.render() == readme_reference.render()  # stable: rendering twice changes nothing
