"""setup's AWS half as Terraform (HCL for the hashicorp/aws provider).

Resources: aws_iam_policy, aws_iam_role (trust and permissions boundary), aws_iam_role_policy_attachment,
aws_rds_cluster_role_association (with feature_name where the engine lists one) and
aws_rds_cluster_parameter_group with a `parameter` block per setting, its apply_method as apply
would send it. The cluster is not managed here, so its switch to the group and the reboots are the
follow-up `auroraml setup`, written as comments at the top. What exists already gets an `import`
block (Terraform 1.5+), so `terraform apply` adopts it instead of failing to create it again.
"""

from __future__ import annotations

import json
import re

NAME = "auroraml"  # every resource's local name: one cluster and service per file


def string(text: str) -> str:
    """An HCL quoted string: escapes, and ${ and %{ kept literal."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return out.replace("${", "$${").replace("%{", "%%{")


def q(text: str) -> str:
    return f'"{string(text)}"'


def heredoc(document: dict, indent: str = "  ") -> str:
    """A JSON document as an indented heredoc (<<-EOT), its ${ and %{ kept literal."""
    body = json.dumps(document, indent=2).replace("${", "$${").replace("%{", "%%{")
    assert not re.search(r"^\s*EOT\s*$", body, re.M)
    lines = "\n".join(indent + "  " + line for line in body.splitlines())
    return f"<<-EOT\n{lines}\n{indent}EOT"


def _tags(tags: dict[str, str]) -> str:
    rows = "\n".join(f"    {q(k)} = {q(v)}" for k, v in tags.items())
    return f"  tags = {{\n{rows}\n  }}"


def _comment(text: str) -> str:
    return "\n".join("# " + line if line else "#" for line in text.splitlines())


def render(half, steps) -> str:
    r = NAME
    parts = [_comment(
        f"Aurora ML {half.service} for Aurora cluster {half.cluster} (account {half.account}, region {half.region}),\n"
        "written by auroraml setup --emit terraform. Configure the aws provider for that region.\n"
        "\n"
        "Not in this file: the cluster's switch to the parameter group (the cluster is not managed\n"
        "here), the reboots, grants and functions. After terraform apply, run:\n"
        + "\n".join(f"  {s.command}\n      {s.why}" for s in steps))]

    parts.append(f'''resource "aws_iam_policy" "{r}" {{
  name        = {q(half.policy_name)}
  description = {q(half.description)}
  policy      = {heredoc(half.policy_document)}
{_tags(half.tags)}
}}''')
    parts.append(f'''resource "aws_iam_role" "{r}" {{
  name                 = {q(half.role_name)}
  description          = {q(half.description)}
  assume_role_policy   = {heredoc(half.trust)}
  permissions_boundary = {q(half.boundary)}
{_tags(half.tags)}
}}''')
    parts.append(f'''resource "aws_iam_role_policy_attachment" "{r}" {{
  role       = aws_iam_role.{r}.name
  policy_arn = aws_iam_policy.{r}.arn
}}''')
    feature = f"\n  feature_name          = {q(half.feature_name)}" if half.feature_name else ""
    parts.append(f'''resource "aws_rds_cluster_role_association" "{r}" {{
  db_cluster_identifier = {q(half.cluster)}
  role_arn              = aws_iam_role.{r}.arn{feature}
  # the role's policy first: Aurora checks what the role may do when it is associated
  depends_on = [aws_iam_role_policy_attachment.{r}]
}}''')
    params = "\n".join(f'''  parameter {{
    name         = {q(name)}
    value        = {q(value)}
    apply_method = {q(method)}
  }}''' for name, (value, method) in half.parameters.items())
    parts.append(f'''resource "aws_rds_cluster_parameter_group" "{r}" {{
  name        = {q(half.parameter_group)}
  family      = {q(half.family or "")}
  description = {q(half.group_description)}
{params}
{_tags(half.tags)}
}}''')

    imports = []
    if half.policy_exists:
        imports.append(("aws_iam_policy", half.policy_arn))
    if half.role_exists:
        imports.append(("aws_iam_role", half.role_name))
    if half.attached:
        imports.append(("aws_iam_role_policy_attachment", f"{half.role_name}/{half.policy_arn}"))
    if half.association:
        imports.append(("aws_rds_cluster_role_association", f"{half.cluster},{half.role_arn}"))
    if half.group_exists:
        imports.append(("aws_rds_cluster_parameter_group", half.parameter_group))
    for kind, ident in imports:
        parts.append(f'''import {{
  to = {kind}.{r}
  id = {q(ident)}
}}''')
    return "\n\n".join(parts) + "\n"
