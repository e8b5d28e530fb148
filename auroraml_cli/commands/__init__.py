"""One module per command; cli.COMMANDS names each command's function (or a group's typer.Typer)."""


def examples(text: str):
    """Attach the examples a command's `--help` ends with (its epilog) to the command's function,
    for cli.load_command to register it with. Each example, an indented paragraph of its own, is
    printed one command a line at any width (cli._HelpFormatter does not re-flow it)."""
    def attach(function):
        function.examples = text
        return function

    return attach
