"""The network AWS gives an account in every region, where moto leaves gaps: what a cluster created
without network settings lives in, so a check can follow its path to the ML services.

- The default VPC has an internet gateway, attached, and `0.0.0.0/0 → igw-…` in its main route
  table (moto: no gateway, only the local route). Its subnets have no route table of their own, so
  they use the main one, as on AWS.
- The account's `default` DB subnet group, which a cluster created without DBSubnetGroupName
  names, holds the default VPC's subnets (moto: DBSubnetGroupNotFoundFault). It is made the first
  time a call names it (or lists every group), and is an ordinary group from then on: it can be
  modified or deleted, and is not made again.
- A cluster created without VpcSecurityGroupIds reports its VPC's `default` security group,
  active (moto: none; moto's instances outside a cluster already get it, and a cluster's
  instances report their cluster's groups).

Everything else the network needs already works in moto: security-group egress rules and
RevokeSecurityGroupEgress, route tables with the vpc-id / association.main /
association.subnet-id filters, DeleteRoute, interface VPC endpoints (available at once,
filterable by vpc-id and service-name).

Seeding must not build moto's EC2 backend (it loads about 1,300 AMIs: some 45 ms a region, on
every reseed), so a cluster learns its default group's id without EC2: when moto makes a default
VPC, its default group's id is derived from account and region (`default_group_id`), and a cluster
created before that EC2 backend exists is given the same id. An EC2 backend that already exists is
simply asked.
"""

from __future__ import annotations

import hashlib
from typing import Any

from moto.ec2.models import EC2Backend, ec2_backends
from moto.ec2.models.security_groups import SecurityGroup
from moto.ec2.models.vpcs import VPC
from moto.rds.models import DBCluster, DBSubnetGroup, RDSBackend

from ._patch import wrap

DEFAULT_SUBNET_GROUP = "default"
_MADE = "_auroraml_default_subnet_group_made"  # on the RDS backend: made once, never again


def install() -> None:
    wrap(EC2Backend, "create_default_vpc", _create_default_vpc)
    for account in ec2_backends.values():  # EC2 backends built before install() lack the gateway
        for backend in account.values():
            vpc = backend.get_default_vpc()
            if vpc is not None and not backend.describe_internet_gateways(filters={"attachment.vpc-id": vpc.id}):
                _add_internet_gateway(backend, vpc)
    wrap(RDSBackend, "create_db_cluster", _create_db_cluster)
    wrap(RDSBackend, "describe_db_subnet_groups", _describe_subnet_groups)
    wrap(RDSBackend, "modify_db_subnet_group", _modify_subnet_group)
    wrap(RDSBackend, "delete_subnet_group", _delete_subnet_group)


# --------------------------------------------------------------------------- EC2: the default VPC


def default_group_id(account_id: str, region: str) -> str:
    """The id of the default VPC's `default` security group: stable for an account and region, so
    RDS can name it without building EC2."""
    digest = hashlib.sha256(f"{account_id}/{region}/default-vpc/default".encode()).hexdigest()
    return f"sg-{digest[:17]}"


def _create_default_vpc(original: Any, backend: EC2Backend) -> VPC:
    vpc = original(backend)
    _add_internet_gateway(backend, vpc)
    group = backend.get_default_security_group(vpc.id)
    wanted = default_group_id(backend.account_id, backend.region_name)
    if group is not None and not any(wanted in groups for groups in backend.groups.values()):
        _rename_group(backend, group, wanted)
    return vpc


def _add_internet_gateway(backend: EC2Backend, vpc: VPC) -> None:
    gateway = backend.create_internet_gateway()
    backend.attach_internet_gateway(gateway.id, vpc.id)
    main = backend.describe_route_tables(filters={"vpc-id": [vpc.id], "association.main": ["true"]})
    for table in main:
        backend.create_route(table.id, "0.0.0.0/0", gateway_id=gateway.id)


def _rename_group(backend: EC2Backend, group: SecurityGroup, group_id: str) -> None:
    """Give a group that was just made (nothing refers to it yet) another id."""
    groups = backend.groups[group.vpc_id]
    del groups[group.id]
    group.id = group.group_id = group_id
    group.arn = f"arn:aws:ec2:{backend.region_name}:{backend.account_id}:security-group/{group_id}"
    for rule in group.egress_rules + group.ingress_rules:
        rule.group_id = group_id
    groups[group_id] = group


def _built_ec2(account_id: str, region: str) -> EC2Backend | None:
    """The region's EC2 backend if something has already built it. Looking builds nothing: even
    `ec2_backends[account]` would load botocore's EC2 model for every partition (~0.3 s a process)."""
    account = dict.get(ec2_backends, account_id)
    return dict.get(account, region) if account is not None else None


# --------------------------------------------------------------------------- RDS: a cluster's network


def _create_db_cluster(original: Any, backend: RDSBackend, kwargs: Any) -> DBCluster:
    if not kwargs.get("vpc_security_group_ids"):
        group_id = _vpc_default_group(backend, kwargs.get("db_subnet_group_name"))
        if group_id:
            kwargs["vpc_security_group_ids"] = [group_id]
    return original(backend, kwargs)


def _vpc_default_group(backend: RDSBackend, subnet_group: str | None) -> str | None:
    """The `default` security group of the VPC a new cluster goes into: the named subnet group's
    VPC, else the default VPC."""
    account, region = backend.account_id, backend.region_name
    named = backend.subnet_groups.get(subnet_group) if subnet_group else None
    ec2 = _built_ec2(account, region)
    if named is not None and ec2 is not None:
        group = ec2.get_default_security_group(named.vpc_id)
        return group.id if group else None
    if ec2 is None:
        return default_group_id(account, region)
    vpc = ec2.get_default_vpc()
    group = ec2.get_default_security_group(vpc.id) if vpc else None
    return group.id if group else None  # no default VPC any more: AWS would refuse; moto gives none


# --------------------------------------------------------------------------- RDS: the default subnet group


def _describe_subnet_groups(original: Any, backend: RDSBackend, subnet_group_name: str | None) -> Any:
    if (subnet_group_name or DEFAULT_SUBNET_GROUP).lower() == DEFAULT_SUBNET_GROUP:  # no name: all groups
        _make_default_group(backend)
    return original(backend, subnet_group_name)


def _modify_subnet_group(original: Any, backend: RDSBackend, subnet_name: str, *args: Any) -> Any:
    if subnet_name.lower() == DEFAULT_SUBNET_GROUP:
        _make_default_group(backend)
    return original(backend, subnet_name, *args)


def _delete_subnet_group(original: Any, backend: RDSBackend, subnet_name: str) -> Any:
    if subnet_name.lower() == DEFAULT_SUBNET_GROUP:
        _make_default_group(backend)
    return original(backend, subnet_name)


def _make_default_group(backend: RDSBackend) -> None:
    if backend.__dict__.get(_MADE) or DEFAULT_SUBNET_GROUP in backend.subnet_groups:
        return
    ec2 = ec2_backends[backend.account_id][backend.region_name]
    vpc = ec2.get_default_vpc()
    subnets = [s for s in ec2.describe_subnets() if vpc is not None and s.vpc_id == vpc.id]
    if not subnets:
        return  # no default VPC: the group does not exist (DBSubnetGroupNotFoundFault)
    subnets.sort(key=lambda s: s.availability_zone)
    backend.subnet_groups[DEFAULT_SUBNET_GROUP] = DBSubnetGroup(
        backend, DEFAULT_SUBNET_GROUP, DEFAULT_SUBNET_GROUP, subnets, []
    )
    setattr(backend, _MADE, True)
