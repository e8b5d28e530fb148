"""The floor for a typer CLI (bench/startup.py): two trivial typer commands, nothing else."""

import typer

app = typer.Typer(rich_markup_mode=None, add_completion=False)


@app.command()
def a(x: str = typer.Option(None, "--x")):
    print(x)


@app.command()
def b():
    pass


if __name__ == "__main__":
    app()
