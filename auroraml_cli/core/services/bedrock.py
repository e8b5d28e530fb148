"""Amazon Bedrock: InvokeModel on the models (and inference profiles) named at setup."""

from __future__ import annotations

from typing import Any

from .base import Service, statement

# Cross-region inference-profile ids start with a geography: `us.anthropic.claude-...`. The one list.
INFERENCE_PROFILE_PREFIXES = ("us.", "eu.", "apac.", "us-gov.", "jp.", "au.", "ca.", "global.")


def base_model(model_id: str) -> str:
    """The foundation model an inference-profile id routes to: `us.amazon.nova-lite-v1:0` → `amazon.nova-lite-v1:0`."""
    for prefix in INFERENCE_PROFILE_PREFIXES:
        if model_id.startswith(prefix):
            return model_id[len(prefix):]
    return model_id


def model_arns(aws, cluster, model_id: str) -> list[str]:
    """Foundation-model ARNs for a model id; an inference profile expands to every routed model."""
    from ..errors import UsageError

    if model_id.startswith(INFERENCE_PROFILE_PREFIXES):
        profile = aws.reader.inference_profile(cluster.region, model_id)
        if profile is not None:
            return [profile["inferenceProfileArn"], *(m["modelArn"] for m in profile.get("models", []))]
    else:
        model = aws.reader.foundation_model(cluster.region, model_id)
        if model is not None:
            return [model["modelArn"]]
    raise UsageError(f"Bedrock model {model_id!r} is not offered in {cluster.region}",
                     "list models with `aws bedrock list-foundation-models`; enable access in the Bedrock console")

class Bedrock(Service):
    def statements(self, *, partition: str, account: str, region: str, model_arns: Any = (), **_: Any) -> list[dict]:
        return [statement("AuroraMLInvokeBedrock", self.iam_actions, list(model_arns))]

    def resolve(self, aws, cluster, version, req) -> dict[str, Any]:
        return {"model_arns": sorted({arn for m in req.model_ids for arn in model_arns(aws, cluster, m)})}

    def scope_targets(self, scope) -> tuple[str, ...]:
        return tuple(scope.model_ids)

    def scope_resources(self, partition: str, region: str, account: str, scope) -> list[str] | None:
        return [f"arn:{partition}:bedrock:{region}::foundation-model/{base_model(m)}" for m in scope.model_ids] or None

    def function_request(self, partition: str, region: str, account: str, target: str) -> tuple[str, list[str], str]:
        action = self.iam_actions[0]
        if target.startswith("arn:"):
            return action, [target], "model"
        if target.startswith(INFERENCE_PROFILE_PREFIXES):  # the profile, and its model here (other regions: setup)
            return action, [f"arn:{partition}:bedrock:{region}:{account}:inference-profile/{target}",
                            f"arn:{partition}:bedrock:{region}::foundation-model/{base_model(target)}"], "model"
        return action, [f"arn:{partition}:bedrock:{region}::foundation-model/{target}"], "model"


SPEC = Bedrock(
    name="bedrock",
    title="Amazon Bedrock",
    minimum={"3": (3, 6), "8.4": (8, 4)},
    parameters={"3": ("aws_default_bedrock_role",), "8.4": ("aws_default_bedrock_role",)},
    db_roles=("AWS_BEDROCK_ACCESS",),
    v2_privileges=(),
    iam_actions=("bedrock:InvokeModel",),
    endpoint_service="bedrock",  # bedrock-runtime has no region list in botocore's endpoint data
    feature_name="Bedrock",
    vpc_endpoint="bedrock-runtime",
    options=("--model-id",),
    required="--model-id",
    required_hint="the policy is scoped to the models you name, e.g. --model-id anthropic.claude-3-haiku-20240307-v1:0",
    placeholder="MODEL_ID",
    checks=("model",),
    ddl_alias="AWS_BEDROCK_INVOKE_MODEL",
    ddl_target_clause="MODEL ID",
    ddl_target_attr="model_id",
    ddl_target_label="model id",
    ddl_refusal=("AWS_BEDROCK_INVOKE_MODEL needs Aurora MySQL 3.06 or later",
                 "upgrade the cluster to 3.06+ (Bedrock is not available on version 2)"),
    unbatched_reason="Bedrock functions make one request per row; Aurora does not batch them",
    sandbox="bedrock + bedrock_runtime: the model catalogue, access, InvokeModel answers (sandbox/ml_answers.py)",
)
