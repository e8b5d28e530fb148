"""`auroraml state`: what existing clusters have, written as a fleet file that `plan -f` finds
unchanged, so adopting auroraml starts from what exists.

A service is listed when auroraml's role for it (setup's names) is associated with the cluster;
its keys come back from the resources auroraml's policy names, by the ARN each setup option makes
(`--model-id` a Bedrock model or inference profile, `--endpoint` a SageMaker endpoint, ...), never
by the service's name. Only reads.
"""

from __future__ import annotations

import json
from typing import Any

from .file import OPTION_KEYS


def _resources(document: Any) -> list[str]:
    found: list[str] = []
    statements = (document or {}).get("Statement", [])
    for st in statements if isinstance(statements, list) else [statements]:
        res = st.get("Resource", [])
        found += [res] if isinstance(res, str) else list(res)
    return found


def _after(arn: str, kind: str) -> str | None:
    """The name in `...:KIND/NAME`, else None."""
    _, sep, rest = arn.partition(f":{kind}/")
    return rest if sep and rest else None


def _models(resources: list[str]) -> list[str]:
    from ..services.bedrock import base_model

    profiles = [p for p in (_after(r, "inference-profile") for r in resources) if p]
    routed = {base_model(p) for p in profiles}
    models = [m for m in (_after(r, "foundation-model") for r in resources) if m and m not in routed]
    return sorted(set(profiles)) + sorted(set(models))


def _endpoints(resources: list[str]) -> list[str]:
    return sorted({e for e in (_after(r, "endpoint") for r in resources if ":sagemaker:" in r) if e})


def _functions(resources: list[str]) -> list[str]:
    return sorted({r for r in resources if ":lambda:" in r and ":function:" in r})


def _bucket(resources: list[str]) -> str | None:
    names = sorted({r.split(":::", 1)[1] for r in resources if ":s3:::" in r and "/" not in r.split(":::", 1)[1]})
    return names[0] if names else None


def _prefix(resources: list[str]) -> str | None:
    for r in resources:
        if ":s3:::" in r and "/" in r:
            folder = r.split(":::", 1)[1].split("/", 1)[1]
            folder = folder[:-1] if folder.endswith("*") else folder
            return folder.strip("/") or None
    return None


def _kms(resources: list[str]) -> str | None:
    keys = sorted(r for r in resources if ":kms:" in r)
    return keys[0] if keys else None


# Each setup option: how its values come back from the resources auroraml's policy names.
FROM_RESOURCES = {"--model-id": _models, "--endpoint": _endpoints, "--function": _functions,
                  "--bucket": _bucket, "--prefix": _prefix, "--kms-key": _kms}


def cluster_state(aws, ref: str, region: str | None = None) -> dict[str, Any]:
    """{"id", "region", "services": {name: {key: value}}, "skipped": [notes]} of one cluster."""
    from .. import iam
    from ..catalogue import SERVICES
    from ..cluster import describe, require_aurora_mysql
    from ..setup_plan import managed_names

    cluster = describe(aws, ref, region)
    require_aurora_mysql(cluster)
    found: dict[str, Any] = {"id": cluster.id, "region": cluster.region, "services": {}, "skipped": []}
    for service in SERVICES.values():
        _, role_arn, policy_name, policy_arn = managed_names(service, cluster)
        if (cluster.roles.get(role_arn) or {}).get("Status") != "ACTIVE":
            continue
        policy = iam.read_policy(aws, policy_arn)
        if not policy.exists:
            found["skipped"].append(f"{service.name}: role associated but policy {policy_name} is missing")
            continue
        resources = _resources(policy.document)
        options = {}
        for flag in service.options:
            value = FROM_RESOURCES[flag](resources)
            if value:
                options[OPTION_KEYS[flag][0]] = value
        found["services"][service.name] = options
    return found


def _toml(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string: JSON's escapes are TOML's


def render(states: list[dict[str, Any]]) -> str:
    """The fleet file for `states`, in the order given."""
    lines = ["# Written by `auroraml state`: what these clusters have now. `auroraml plan -f` on it shows no changes.", ""]
    for state in states:
        lines.append("[[cluster]]")
        lines.append(f"id = {_toml(state['id'])}")
        lines.append(f"region = {_toml(state['region'])}")  # always: the file must not depend on where it is run
        for note in state.get("skipped", ()):
            lines.append(f"# not listed: {note}")
        for name, options in state["services"].items():
            lines.append("")
            lines.append(f"[cluster.{name}]")
            lines += [f"{key} = {_toml(value)}" for key, value in options.items()]
        lines.append("")
    return "\n".join(lines)
