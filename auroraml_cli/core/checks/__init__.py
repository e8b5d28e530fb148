"""`auroraml check`: every reason Aurora ML may not work on a cluster, one finding each.

A finding names its check (a stable id runbooks may grep), the service it is about (None: the
whole cluster), a status, what was seen, and the fix — the `auroraml` command that repairs it
where one exists, otherwise the AWS call or setting to change. The checks read; they never write.

| module    | what it looks at                                                            |
|-----------|-----------------------------------------------------------------------------|
| reader    | every AWS read, made once per resource even across threads (fleet mode)    |
| aws_side  | engine, region, parameter group, role, trust, policy, parameter, reboots,  |
|           | Bedrock models, SageMaker endpoints (every region of a global database),   |
|           | and each ALIAS function the database defines against its role's policies  |
| network   | security-group egress to 443, a route out or a VPC endpoint per service    |
| iam_eval  | what an IAM policy allows (simulation where the account allows it)         |
| db_side   | each instance's running values, binlog_format, the user's roles/privileges |
|           | and EXECUTE, reserved words before 3.06, an optional real call (--probe)   |
| db_auth   | --iam-auth: the cluster's IAM setting, rds-db:connect, the user's plugin   |
| fleet     | every Aurora MySQL cluster of the regions, concurrently                    |
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

PASS, WARN, FAIL, SKIP = "pass", "warn", "fail", "skip"
STATUSES = (PASS, WARN, FAIL, SKIP)


@dataclass
class Finding:
    check: str
    service: str | None
    status: str
    detail: str
    fix: str | None = None
    instance: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def summary(findings: list[Finding]) -> dict[str, int]:
    return {s: sum(1 for f in findings if f.status == s) for s in STATUSES}


def failed(findings: list[Finding]) -> bool:
    return any(f.status == FAIL for f in findings)
