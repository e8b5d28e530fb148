"""The KMS key that `--kms-key` names, resolved to one key ARN in the region the key must work in.

S3 encrypts an object with a key of the bucket's own region, and Aurora MySQL writes with a
customer managed key only from version 3.05 (AWS documentation, "Saving data from an Amazon
Aurora MySQL DB cluster into text files in an Amazon S3 bucket": "In Aurora MySQL version 3.05
and higher, you can encrypt objects using AWS KMS customer managed keys", with
kms:GenerateDataKey in the role's policy; AWS managed keys need no such permission).
"""

from __future__ import annotations

from dataclasses import dataclass

from .aws import Aws, error_code
from .errors import UsageError
from .names import KMS_KEY_HINT, Arn
from .versions import AuroraVersion

CUSTOMER_KEY_MINIMUM = (3, 5)
CUSTOMER_KEY_MINIMUM_TEXT = "3.05"


@dataclass(frozen=True)
class KmsKey:
    arn: str
    aws_managed: bool  # KeyManager AWS (alias/aws/s3): usable through S3 without a grant in the role


def resolve(aws: Aws, text: str, region: str, partition: str) -> KmsKey:
    """DescribeKey in `region` (it takes a key id, key ARN, alias name or alias ARN): the key's ARN."""
    if text.startswith("arn:"):
        arn = Arn.parse(text)
        if arn.partition != partition or arn.region != region:
            raise UsageError(f"KMS key {text} is in {arn.region} ({arn.partition}); it must be in {region}, "
                             "where the cluster writes to S3",
                             "name a key of that region (an alias, or a multi-Region key's replica there)")
    try:
        key = aws.reader.kms_key(region, text)
    except Exception as exc:
        if error_code(exc) in ("NotFoundException", "InvalidArnException", "ValidationException"):
            raise UsageError(f"no KMS key {text!r} in {region}", KMS_KEY_HINT + ", of that region") from None
        raise
    if key.usage != "ENCRYPT_DECRYPT" or key.spec != "SYMMETRIC_DEFAULT":
        raise UsageError(f"KMS key {key.arn} is not a symmetric encryption key", "S3 encrypts only with symmetric encryption keys")
    if key.state != "Enabled":
        raise UsageError(f"KMS key {key.arn} is {key.state}", "enable it, or name another key")
    # Alias names under aws/ are reserved for AWS managed keys (whatever a stand-in answers for KeyManager).
    reserved = text.startswith("alias/aws/") or ":alias/aws/" in text
    return KmsKey(key.arn, key.manager == "AWS" or reserved)


def require_engine_support(key: KmsKey, version: AuroraVersion, where: str) -> None:
    """Refuse a customer managed key on an engine that cannot write with one (2.x, 3.01-3.04)."""
    if not key.aws_managed and not version.at_least(CUSTOMER_KEY_MINIMUM):
        raise UsageError(f"{where} runs Aurora MySQL {version}: SELECT INTO OUTFILE S3 with a customer managed KMS key "
                         f"needs {CUSTOMER_KEY_MINIMUM_TEXT} or later",
                         f"upgrade to {CUSTOMER_KEY_MINIMUM_TEXT}+, or drop --kms-key (the bucket's default encryption applies)")
