"""`auroraml setup ... --emit cloudformation|terraform`: the AWS half of setup's plan as code.

The emitters read the plan's `desired` (setup_plan.AwsHalf): the policy document and trust policy
that apply would create (the same builders, never a second copy), the role, the custom parameter
group and its parameters. What a template cannot do on a cluster it does not manage — the switch to
the group (CloudFormation also: the role association), the reboots and the wait for in-sync, the
database grants and functions — is said as the auroraml commands that finish the job (`follow_up`).
Nothing here writes to AWS.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..plan import command_line

FORMATS = ("cloudformation", "terraform")


@dataclass(frozen=True)
class FollowUp:
    command: str
    why: str


def setup_command(req, half, *extra: str) -> str:
    """The same `auroraml setup` as the emitting one (region and options), without --emit."""
    words: list[str] = ["auroraml", "--region", half.region, "setup", req.service.name, "--cluster", half.cluster]
    for flag, values in (("--model-id", req.model_ids), ("--endpoint", req.endpoints), ("--function", req.functions)):
        for value in values:
            words += [flag, value]
    for flag, value in (("--bucket", req.bucket), ("--prefix", req.prefix or None), ("--kms-key", req.kms_key),
                        ("--role-name", req.role_name), ("--policy-name", req.policy_name),
                        ("--parameter-group", req.parameter_group),
                        ("--permissions-boundary", req.permissions_boundary)):
        if value:
            words += [flag, value]
    if any(c in (req.bucket or "") + (req.prefix or "") for c in "*?"):
        words.append("--allow-wildcards")
    if req.allow_shared:
        words.append("--allow-shared-parameter-group")
    return command_line(*words, *extra)


def follow_up(req, half, fmt: str) -> list[FollowUp]:
    """The steps infrastructure as code leaves to auroraml, in order, as commands to run after the
    deploy (`terraform apply`, a stack's CREATE_COMPLETE)."""
    left = []
    if fmt == "cloudformation" and half.association != "ACTIVE":
        left.append(f"associates {half.role_name} with {half.cluster}"
                    + (f" (FeatureName {half.feature_name})" if half.feature_name else "") + " and waits for ACTIVE")
    if half.parameter_group != half.current_group:
        left.append(f"switches {half.cluster} from {half.current_group} to {half.parameter_group}")
    order = " one at a time (writer first)" if len(half.members) > 1 else ""
    left.append(f"reboots {', '.join(half.members)}{order}, each until in-sync" if half.members
                else "reboots the cluster's members")
    if fmt == "cloudformation" and half.group_exists:
        left.insert(0, f"sets {', '.join(half.parameters)} in {half.parameter_group}")
    steps = [FollowUp(setup_command(req, half, "--reboot", "--yes"),
                      "finds what the deploy made unchanged; " + "; ".join(left))]
    steps.append(FollowUp(command_line("auroraml", "--region", half.region, "grant", req.service.name, "USER",
                                       "--cluster", half.cluster),
                          f"lets the database account USER call {req.service.title} (replace USER)"))
    if req.service.ddl_alias:
        steps.append(FollowUp(command_line("auroraml", "ddl", req.service.name, "--help"),
                              f"shows how to create the SQL functions that call {req.service.title} "
                              f"(then run it with --apply --cluster {half.cluster})"))
    steps.append(FollowUp(command_line("auroraml", "--region", half.region, "check", "--cluster", half.cluster,
                                       "--service", req.service.name),
                          "checks the whole chain, AWS and database"))
    return steps


def already_there(half, fmt: str) -> list[str]:
    """What exists already, which a fresh deploy would refuse to create again: say how to adopt it."""
    found = []
    tf = fmt == "terraform"
    if half.policy_exists:
        found.append(f"IAM policy {half.policy_name} exists already: "
                     + ("the import block adopts it" if tf else "import it into the stack or delete it before deploying"))
    if half.role_exists:
        found.append(f"IAM role {half.role_name} exists already: "
                     + ("the import block adopts it" if tf else "import it into the stack or delete it before deploying"))
    if half.group_exists:
        found.append(f"parameter group {half.parameter_group} exists already: "
                     + ("the import block adopts it (Terraform then manages its parameters)" if tf else
                        "the template leaves it out and the follow-up auroraml setup sets its parameters "
                        "(or pass --parameter-group NEW for a group the stack creates)"))
    return found


def render(fmt: str, req, half) -> str:
    """The template or configuration for one cluster, as text ending in a newline."""
    half.complete()
    steps = follow_up(req, half, fmt)
    if fmt == "cloudformation":
        from .cloudformation import render as cfn
        return cfn(half, steps)
    from .terraform import render as tf
    return tf(half, steps)


def refuse_conflicts(*, reboot: bool | None, yes: bool, dry_run: bool, global_: bool, query: bool = False) -> None:
    """--emit changes nothing on AWS, so the options about applying have nothing to act on: said
    before anything is read, rather than ignored. --query filters auroraml's JSON document, and
    --emit prints a template instead of one: refused too, never silently dropped."""
    from ..errors import UsageError

    if query:
        raise UsageError("--query filters auroraml's JSON output; --emit prints a template instead",
                         "drop --query (or drop --emit: -o json setup --dry-run prints the plan as JSON)")
    if dry_run:
        raise UsageError("--emit already changes nothing; --dry-run has no meaning with it",
                         "drop --dry-run (or drop --emit to see the plan as a table)")
    if reboot or yes:
        flag = "--reboot" if reboot else "--yes"
        raise UsageError(f"--emit reboots nothing, so {flag} has no meaning with it",
                         f"drop {flag}: the follow-up auroraml setup it prints carries --reboot --yes")
    if global_:
        raise UsageError("--emit writes one cluster's resources, in one region; --global spans several",
                         "run --emit once per member cluster, each with its --cluster ARN")


def emit_setup(app, req, fmt: str) -> int:
    """Plan as setup does (reads only), then write the plan's AWS half to stdout as `fmt`, and the
    follow-up commands (and what already exists) to stderr."""
    import sys

    from ..errors import EXIT_OK
    from ..setup_plan import plan_setup

    with app.out.spinner(f"reading {req.cluster} and its IAM role"):
        plan = plan_setup(app.aws, req)
        (half,) = plan.desired
        text = render(fmt, req, half)
    sys.stdout.write(text)
    sys.stdout.flush()
    for line in already_there(half, fmt):
        app.out.warn(line)
    for note in plan.notes:
        app.out.progress(f"note: {note}")
    done_by = "terraform apply" if fmt == "terraform" else "the stack's deploy"
    app.out.progress(f"after {done_by}, finish with:")
    for step in follow_up(req, half, fmt):
        app.out.progress(f"  {step.command}")
        app.out.progress(f"      {step.why}")
    return EXIT_OK
