"""AWS Lambda: lambda_sync / lambda_async from SQL, InvokeFunction on the functions named at setup.

Facts and their sources: the Aurora ML reference in the auroraml repository, docs/reference/, "AWS Lambda".
"""

from __future__ import annotations

from typing import Any

from .base import Service, statement


def function_arn(partition: str, region: str, account: str, function: str) -> str:
    """A function named by ARN stays as given (a qualifier too: the policy names exactly what was
    asked); a bare name is the function of that name in the cluster's region and account."""
    if function.startswith("arn:"):
        return function
    return f"arn:{partition}:lambda:{region}:{account}:function:{function}"


class Lambda(Service):
    def statements(self, *, partition: str, account: str, region: str, functions: Any = (), **_: Any) -> list[dict]:
        arns = [function_arn(partition, region, account, f) for f in functions]
        return [statement("AuroraMLInvokeLambda", self.iam_actions, sorted(set(arns)))]

    def resolve(self, aws, cluster, version, req) -> dict[str, Any]:
        """Each function exists (GetFunction, in the region its ARN names): a typo would otherwise
        leave a policy that allows nothing, found only when lambda_sync fails."""
        from ..errors import UsageError

        arns = []
        for function in req.functions:
            arn = function_arn(cluster.partition, cluster.region, cluster.account, function)
            region = arn.split(":")[3]
            if aws.reader.lambda_function(region, arn) is None:
                raise UsageError(f"no Lambda function {function!r} in {region}",
                                 "create it first, or name it by its ARN (--function arn:aws:lambda:REGION:ACCOUNT:"
                                 "function:NAME)")
            arns.append(arn)
        return {"functions": sorted(set(arns))}

    def scope_targets(self, scope) -> tuple[str, ...]:
        return tuple(scope.functions)

    def scope_resources(self, partition: str, region: str, account: str, scope) -> list[str] | None:
        return [function_arn(partition, region, account, f) for f in scope.functions] or None


SPEC = Lambda(
    name="lambda",
    title="AWS Lambda (lambda_sync / lambda_async)",
    # Native functions: Aurora MySQL version 2, and 3.01 and higher; 8.4 as the other integrations.
    minimum={"2": (2,), "3": (3, 1), "8.4": (8, 4)},
    parameters={g: ("aws_default_lambda_role",) for g in ("2", "3", "8.4")},
    db_roles=("AWS_LAMBDA_ACCESS",),
    v2_privileges=("INVOKE LAMBDA",),
    iam_actions=("lambda:InvokeFunction",),
    endpoint_service="lambda",
    vpc_endpoint="lambda",
    aurora_ml=False,  # an integration, like S3: the Aurora ML region list does not apply
    options=("--function",),
    required="--function",
    required_hint="the policy is scoped to the functions you name, e.g. --function my-function (or its ARN)",
    placeholder="FUNCTION",
    checks=("function",),
    builtin_functions=("lambda_sync", "lambda_async"),
    builtin_call=r"\blambda_(?:a)?sync\s*\(",
    unbatched_reason="lambda_sync and lambda_async invoke the function once per call; Aurora does not batch them",
    sandbox="moto's Lambda (GetFunction); lambda_sync / lambda_async in sandbox/sql",
)
