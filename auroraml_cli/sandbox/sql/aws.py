"""The cluster as the AWS half knows it, read from moto's in-process backends on every call.

The sandbox's moto server runs in the same process (and tests use `moto.mock_aws()`), so these
are the backends RDS, Secrets Manager and S3 calls reach: a reboot, a parameter change or a new
role association shows here at once, with no copy to keep in sync.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import SqlError, s3_error


class AwsView:
    def __init__(self, account_id: str, region: str, cluster_id: str) -> None:
        self.account_id = account_id
        self.region = region
        self.cluster_id = cluster_id
        self._gate: Any = None

    def _cluster(self) -> Any | None:
        from moto.rds.models import rds_backends

        return rds_backends[self.account_id][self.region].clusters.get(self.cluster_id)

    def writer(self) -> str | None:
        """The writer instance's id, or None when the cluster has none (or is gone)."""
        cluster = self._cluster()
        members = cluster.members if cluster is not None else []
        return next((m.db_instance_identifier for m in members if m.is_cluster_writer), None)

    def members(self) -> list[str]:
        """The cluster's instance ids, the writer first."""
        cluster = self._cluster()
        members = cluster.members if cluster is not None else []
        return [m.db_instance_identifier for m in sorted(members, key=lambda m: not m.is_cluster_writer)]

    def boot(self, instance: str | None) -> tuple[str, float] | None:
        """An instance's id (None: the writer's) and when it last started (creation, or its last
        reboot ending); None when there is no such instance."""
        from moto.rds.exceptions import DBInstanceNotFoundError

        from .. import rds_instances

        instance = instance or self.writer()
        if instance is None:
            return None
        try:
            return instance, rds_instances.boot_time(self.account_id, self.region, instance)
        except DBInstanceNotFoundError:
            return None

    def parameters(self) -> dict[str, str]:
        """What the writer runs with: its cluster parameter group as of its last reboot."""
        from .. import layer

        writer = self.writer()
        return layer.effective_parameters(self.account_id, self.region, writer) if writer else {}

    def master_password(self) -> str | None:
        """The password RDS holds for the master user: ModifyDBCluster's MasterUserPassword, or
        the value of the cluster's managed secret (ManageMasterUserPassword) in Secrets Manager."""
        cluster = self._cluster()
        if cluster is None:
            return None
        if getattr(cluster, "manage_master_user_password", False):
            secret = cluster.master_user_secret.secret
            value = cluster.backend.secretsmanager.get_secret_value(secret.arn, None, "AWSCURRENT")
            return json.loads(value["SecretString"])["password"]
        # moto's master_user_password getter refuses on purpose; its setter keeps the value here.
        return cluster.__dict__.get("_master_user_password") or None

    @property
    def gate(self) -> Any:
        """IAM evaluated for the cluster's requests (role_access.Gate)."""
        if self._gate is None:
            from .role_access import Gate

            self._gate = Gate(self.account_id, self.region, self.cluster_id, self.role_is_active)
        return self._gate

    def role_is_active(self, role_arn: str) -> bool:
        """Whether the role is associated with the cluster and ACTIVE (AddRoleToDBCluster)."""
        cluster = self._cluster()
        roles = cluster.associated_roles if cluster is not None else []
        return any(r.role_arn == role_arn and r.status == "ACTIVE" for r in roles)

    def get_object(self, bucket: str, key: str) -> bytes | None:
        """An object's bytes; None when the bucket or the key is not there."""
        from moto.s3.exceptions import MissingBucket
        from moto.s3.models import s3_backends

        try:
            found = s3_backends[self.account_id]["aws"].get_object(bucket, key)
        except MissingBucket:
            return None
        return found.value if found is not None else None

    def keys_under(self, bucket: str, prefix: str) -> list[str]:
        """The keys that start with the prefix, in order (none when there is no bucket)."""
        from moto.s3.exceptions import MissingBucket
        from moto.s3.models import s3_backends

        backend = s3_backends[self.account_id]["aws"]
        try:
            keys, _, _, _ = backend.list_objects(backend.get_bucket(bucket), prefix, None, None, None)
        except MissingBucket:
            return []
        return sorted(key.name for key in keys)

    def get_prefix(self, bucket: str, prefix: str) -> list[bytes]:
        """The bytes of every object whose key starts with the prefix, in key order."""
        return [body for key in self.keys_under(bucket, prefix) if (body := self.get_object(bucket, key)) is not None]

    def kms_key_of(self, bucket: str, key: str) -> str | None:
        """The KMS key an SSE-KMS object names (None: not SSE-KMS, or the AWS managed aws/s3 key)."""
        from moto.s3.exceptions import MissingBucket
        from moto.s3.models import s3_backends

        try:
            found = s3_backends[self.account_id]["aws"].get_object(bucket, key)
        except MissingBucket:
            return None
        if found is None or found.encryption != "aws:kms" or not found.kms_key_id:
            return None
        from .role_access import kms_key_arn

        return kms_key_arn(self.account_id, self.region, found.kms_key_id) or found.kms_key_id

    def put_objects(self, bucket: str, objects: dict[str, bytes], overwrite: bool, encryption: tuple[str, str | None]
                    ) -> None:
        """Write objects to S3, all or none: without OVERWRITE an existing key refuses them all."""
        from moto.s3.exceptions import MissingBucket
        from moto.s3.models import s3_backends

        backend = s3_backends[self.account_id]["aws"]
        try:
            backend.get_bucket(bucket)
        except MissingBucket:
            raise s3_error("The specified bucket does not exist") from None
        if not overwrite:
            for key in objects:
                if backend.get_object(bucket, key) is not None:
                    raise SqlError(1086, f"File 's3://{bucket}/{key}' already exists")
        algorithm, kms_key = encryption
        for key, body in objects.items():
            backend.put_object(bucket, key, body, encryption=algorithm or None, kms_key_id=kms_key)
