"""IAM: refuse to delete a managed policy that is still in use, as AWS does; attaching a policy
already attached changes nothing, as on AWS (moto counted it twice, so a later detach left it
"attached" and DeletePolicy refused); refuse
SimulatePrincipalPolicy as AWS does for an operator without iam:SimulatePrincipalPolicy (moto
has no simulator: `auroraml check` then reads the role's policies, as it does on such accounts)."""

from __future__ import annotations

from typing import Any

from moto.iam.exceptions import DeleteConflictException, IAMException
from moto.iam.models import IAMBackend, ManagedPolicy
from moto.iam.responses import IamResponse

from ._patch import define, wrap


def install() -> None:
    import warnings

    # moto's serializer warns that AccessDenied is not in IAM's model: AWS sends it anyway.
    warnings.filterwarnings("ignore", message=r"Exception\(_AccessDenied\)")
    wrap(IAMBackend, "delete_policy", _delete_policy)
    wrap(ManagedPolicy, "attach_to", _attach_to)
    define(IamResponse, "simulate_principal_policy", _simulate_principal_policy)
    from . import access

    access.install()  # IAM enforced for the sandbox's own IAM users' keys


class _AccessDenied(IAMException):
    code = "AccessDenied"

    def __init__(self, message: str) -> None:
        super().__init__(message)


def _simulate_principal_policy(response: IamResponse) -> Any:
    raise _AccessDenied(
        f"User: arn:aws:iam::{response.current_account}:user/sandbox is not authorized to perform: "
        "iam:SimulatePrincipalPolicy (the sandbox has no policy simulator)")


def _delete_policy(original: Any, backend: IAMBackend, policy_arn: str) -> None:
    policy = backend.get_policy(policy_arn)  # NoSuchEntity first, as on AWS
    if policy.attachment_count > 0:
        raise DeleteConflictException("Cannot delete a policy attached to entities.")
    # A teardown that skips DeletePolicyVersion fails here on AWS too.
    if len(policy.versions) > 1:
        raise DeleteConflictException(
            "This policy has more than one version. Before you delete a policy, you must delete "
            "the policy's versions. The default version is deleted with the policy."
        )
    original(backend, policy_arn)


def _attach_to(original: Any, policy: ManagedPolicy, obj: Any) -> None:
    if policy.arn not in obj.managed_policies:
        original(policy, obj)
