"""RDS reports a cluster that has a sandbox SQL endpoint at that endpoint: the cluster's
Endpoint and ReaderEndpoint are its host and Port its port; each member instance's
Endpoint.Address/Port is the instance's own port on that host (an instance created after the
endpoint started has none: it reports the cluster's). A tool that finds the writer through
DescribeDBClusters, or each instance through DescribeDBInstances, then connects as it would to
Aurora.

`advertise`/`withdraw` keep a registry that the properties installed on moto's classes read,
so the address survives moto's reset and reseeding (the new cluster has the same identifier).
Two endpoints of one cluster in one process (a second sandbox beside the first, as tests start):
the later one's address while it runs, the earlier one's again once it stops.
"""

from __future__ import annotations

from typing import Any

# key → the addresses advertised for it, oldest first; the last one is reported
_ADVERTISED: dict[tuple[str, str, str], list[tuple[str, int]]] = {}
_INSTANCES: dict[tuple[str, str, str], list[tuple[str, int]]] = {}
_MOTO_PORT = "_auroraml_moto_port"


def _push(registry: dict, key: tuple[str, str, str], host: str, port: int) -> None:
    registry.setdefault(key, []).append((host, port))


def _pull(registry: dict, key: tuple[str, str, str], port: int) -> None:
    """Forget the address on `port`; one advertised before it (and still up) is reported again."""
    left = [address for address in registry.get(key, []) if address[1] != port]
    if left:
        registry[key] = left
    else:
        registry.pop(key, None)


def _current(registry: dict, key: tuple[str, str, str]) -> tuple[str, int] | None:
    addresses = registry.get(key)
    return addresses[-1] if addresses else None


def advertise(account_id: str, region: str, cluster_id: str, host: str, port: int) -> None:
    _push(_ADVERTISED, (account_id, region, cluster_id), host, port)


def withdraw(account_id: str, region: str, cluster_id: str, port: int) -> None:
    _pull(_ADVERTISED, (account_id, region, cluster_id), port)


def advertise_instance(account_id: str, region: str, instance_id: str, host: str, port: int) -> None:
    _push(_INSTANCES, (account_id, region, instance_id), host, port)


def withdraw_instance(account_id: str, region: str, instance_id: str, port: int) -> None:
    _pull(_INSTANCES, (account_id, region, instance_id), port)


def install() -> None:
    from moto.rds.models import DBCluster, DBInstance

    DBCluster.endpoint = _host_property(DBCluster.endpoint, _cluster_address)
    DBCluster.reader_endpoint = _host_property(DBCluster.reader_endpoint, _cluster_address)
    DBCluster.port = _port_property(_cluster_address)
    DBInstance.address = _host_property(DBInstance.address, _instance_address)
    DBInstance.port = _port_property(_instance_address)


def _cluster_address(cluster: Any) -> tuple[str, int] | None:
    return _current(_ADVERTISED, (cluster.account_id, cluster.region, cluster.db_cluster_identifier))


def _instance_address(db: Any) -> tuple[str, int] | None:
    cluster = getattr(db, "cluster", None)
    if cluster is None:
        return None
    own = _current(_INSTANCES, (db.account_id, db.region, db.db_instance_identifier))
    return own if own is not None and _cluster_address(cluster) is not None else _cluster_address(cluster)


def _host_property(original: property, address: Any) -> property:
    def host(obj: Any) -> str:
        advertised = address(obj)
        return advertised[0] if advertised else original.fget(obj)  # type: ignore[misc]

    return property(host)


def _port_property(address: Any) -> property:
    # moto assigns `port` in its constructors: keep what it assigns, answer the endpoint's port.
    def get(obj: Any) -> int | None:
        advertised = address(obj)
        if advertised:
            return advertised[1]
        return obj.__dict__.get(_MOTO_PORT, obj.__dict__.get("port"))

    def set_(obj: Any, value: int | None) -> None:
        obj.__dict__[_MOTO_PORT] = value

    return property(get, set_)
