"""The baseline for bench/startup.py: a plain click app with auroraml's command names and a few
options each, doing nothing but parsing and printing (what docs/reference/performance.md calls "a plain click
app"). Not part of auroraml."""

import click


@click.group(help="A plain click app with auroraml's command tree.")
@click.version_option("0.0", prog_name="plain")
@click.option("--profile")
@click.option("--region")
@click.option("-o", "--output", type=click.Choice(["table", "json"]))
def cli(profile, region, output):
    pass


def _command(name):
    @cli.command(name, help=f"The {name} command.")
    @click.argument("args", nargs=-1)
    @click.option("--cluster")
    @click.option("--dry-run", is_flag=True)
    @click.option("--yes", is_flag=True)
    @click.option("--aurora-version")
    def command(args, cluster, dry_run, yes, aurora_version):
        click.echo(f"{name} {' '.join(args)}")
    return command


for _name in ("setup", "teardown", "grant", "revoke", "export", "explain", "status", "check", "iam-policy"):
    _command(_name)


@cli.group(help="Function DDL.")
def ddl():
    pass


@ddl.command("sagemaker", help="A SageMaker function.")
@click.argument("name")
@click.option("--endpoint")
@click.option("--arg", multiple=True)
@click.option("--returns")
@click.option("--aurora-version")
def sagemaker(name, endpoint, arg, returns, aurora_version):
    click.echo(f"CREATE FUNCTION {name} (...) RETURNS {returns} ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME '{endpoint}';")


if __name__ == "__main__":
    cli()
