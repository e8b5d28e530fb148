"""Amazon SageMaker: InvokeEndpoint on the endpoints named at setup."""

from __future__ import annotations

from typing import Any

from .base import Service, statement


def endpoint_arn(partition: str, region: str, account: str, name: str) -> str:
    # Endpoint ARNs carry the name in lower case, whatever case it was created with.
    return f"arn:{partition}:sagemaker:{region}:{account}:endpoint/{name.lower()}"


class SageMaker(Service):
    def statements(self, *, partition: str, account: str, region: str, endpoints: Any = (), **_: Any) -> list[dict]:
        arns = [endpoint_arn(partition, region, account, e) for e in endpoints]
        return [statement("AuroraMLInvokeSageMaker", self.iam_actions, arns)]

    def resolve(self, aws, cluster, version, req) -> dict[str, Any]:
        from ..errors import UsageError

        for name in req.endpoints:
            if aws.reader.sagemaker_endpoint(cluster.region, name) is None:
                raise UsageError(f"no SageMaker endpoint {name!r} in {cluster.region}",
                                 "create it there first (the endpoint must be in the cluster's region)")
        return {"endpoints": list(req.endpoints)}

    def scope_targets(self, scope) -> tuple[str, ...]:
        return tuple(scope.endpoints)

    def scope_resources(self, partition: str, region: str, account: str, scope) -> list[str] | None:
        return [endpoint_arn(partition, region, account, e) for e in scope.endpoints] or None

    def function_request(self, partition: str, region: str, account: str, target: str) -> tuple[str, list[str], str]:
        return self.iam_actions[0], [endpoint_arn(partition, region, account, target)], "endpoint"


SPEC = SageMaker(
    name="sagemaker",
    title="Amazon SageMaker",
    minimum={"2": (2, 7), "3": (3, 1), "8.4": (8, 4)},
    parameters={g: ("aws_default_sagemaker_role",) for g in ("2", "3", "8.4")},
    db_roles=("AWS_SAGEMAKER_ACCESS",),
    v2_privileges=("INVOKE SAGEMAKER",),
    iam_actions=("sagemaker:InvokeEndpoint",),
    endpoint_service="sagemaker-runtime",
    vpc_endpoint="sagemaker.runtime",
    options=("--endpoint",),
    required="--endpoint",
    required_hint="the policy is scoped to the endpoints you name, e.g. --endpoint churn-predictor",
    placeholder="ENDPOINT",
    checks=("endpoint",),
    ddl_alias="AWS_SAGEMAKER_INVOKE_ENDPOINT",
    ddl_target_clause="ENDPOINT NAME",
    ddl_target_attr="endpoint",
    ddl_target_label="endpoint name",
    ddl_refusal=("Aurora ML needs Aurora MySQL 2.07 or later", "upgrade the cluster's engine version"),
    sandbox="sagemaker_endpoints + sagemaker_runtime: InService endpoints, InvokeEndpoint answers",
)
