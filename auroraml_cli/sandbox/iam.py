"""IAM: refuse to delete a managed policy that is still in use, as AWS does."""

from __future__ import annotations

from typing import Any

from moto.iam.exceptions import DeleteConflictException
from moto.iam.models import IAMBackend

from ._patch import wrap


def install() -> None:
    wrap(IAMBackend, "delete_policy", _delete_policy)


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
