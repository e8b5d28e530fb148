"""Who the sandbox's own keys are: the account root, as sandbox/access.py treats them.

moto answers GetCallerIdentity for any key that no IAM user holds with `arn:aws:sts::ACCOUNT:user/moto`,
a user that does not exist. The keys the sandbox hands out (commands/sandbox.py SANDBOX_ENV,
server.DUMMY_CREDENTIALS, moto's in-process mock's) are the account's root instead:
`arn:PARTITION:iam::ACCOUNT:root`, as AWS names the root. RDS IAM tokens signed with them pass
rds-db:connect (sql/iam_token.py), and `check --iam-auth` says the caller is the root.
"""

from __future__ import annotations

from typing import Any

from moto.sts.models import STSBackend

from ._patch import wrap
from .sql.iam_token import ROOT_KEYS

# moto's in-process mock reads no key from the request and answers for this placeholder.
_ROOT = {*ROOT_KEYS, "AKIAEXAMPLE"}


def install() -> None:
    wrap(STSBackend, "get_caller_identity", _identity)


def _identity(original: Any, backend: STSBackend, access_key_id: str, region: str) -> tuple[str, str, str]:
    user_id, arn, account = original(backend, access_key_id, region)
    if access_key_id in _ROOT and arn.endswith(":user/moto"):
        return account, f"arn:{arn.split(':')[1]}:iam::{account}:root", account
    return user_id, arn, account
