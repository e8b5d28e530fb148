"""Can the cluster reach the ML services over HTTPS? Pure functions over EC2's answers.

Aurora calls the services from the cluster's subnets, through its security groups
(the Aurora ML reference in the auroraml repository, docs/reference/ §10): an egress rule must allow TCP 443 (to anywhere, or at least to the VPC
endpoints), and each subnet needs a way out — a default route to an internet or NAT gateway (or
another gateway that leads out), or an interface VPC endpoint for the service (a gateway
endpoint for S3) in the VPC.
"""

from __future__ import annotations

ANYWHERE = ("0.0.0.0/0", "::/0")
# Route targets that lead out of the VPC.
_OUT = ("GatewayId", "NatGatewayId", "TransitGatewayId", "NetworkInterfaceId", "InstanceId", "VpcPeeringConnectionId")


def _covers_443(permission: dict) -> bool:
    protocol = str(permission.get("IpProtocol"))
    if protocol == "-1":
        return True
    if protocol not in ("tcp", "6"):
        return False
    low, high = permission.get("FromPort"), permission.get("ToPort")
    return low is None or (int(low) <= 443 <= int(high if high is not None else low))


def egress_443(groups: list[dict]) -> tuple[str, str]:
    """("anywhere" | "limited" | "none", detail) for TCP 443 out of the union of the groups."""
    limited: list[str] = []
    for group in groups:
        for permission in group.get("IpPermissionsEgress", []):
            if not _covers_443(permission):
                continue
            cidrs = [r.get("CidrIp") for r in permission.get("IpRanges", [])] + \
                    [r.get("CidrIpv6") for r in permission.get("Ipv6Ranges", [])]
            if any(c in ANYWHERE for c in cidrs):
                return "anywhere", f"{group['GroupId']} allows TCP 443 out to anywhere"
            limited += [c for c in cidrs if c]
            limited += [p.get("PrefixListId") for p in permission.get("PrefixListIds", []) if p.get("PrefixListId")]
            limited += [g.get("GroupId") for g in permission.get("UserIdGroupPairs", []) if g.get("GroupId")]
    if limited:
        return "limited", f"TCP 443 out only to {', '.join(sorted(set(limited)))}"
    ids = ", ".join(g["GroupId"] for g in groups) or "no security group"
    return "none", f"{ids}: no egress rule allows TCP 443"


def table_for(subnet: str, tables: list[dict]) -> dict | None:
    """The route table a subnet uses: its explicit association, else the VPC's main table."""
    main = None
    for table in tables:
        for assoc in table.get("Associations", []):
            if assoc.get("SubnetId") == subnet:
                return table
            if assoc.get("Main"):
                main = table
    return main


def default_route(table: dict | None) -> str | None:
    """The target of a 0.0.0.0/0 (or ::/0) route that leads out, or None."""
    for route in (table or {}).get("Routes", []):
        if route.get("DestinationCidrBlock") in ANYWHERE or route.get("DestinationIpv6CidrBlock") in ANYWHERE:
            if route.get("State", "active") != "active":
                continue
            for key in _OUT:
                target = route.get(key)
                if target and target != "local":
                    return target
    return None


def subnets_without_route(subnets: list[str], tables: list[dict]) -> list[str]:
    return [s for s in subnets if default_route(table_for(s, tables)) is None]


def service_endpoint(endpoints: list[dict], region: str, suffix: str) -> dict | None:
    """An available VPC endpoint for the service: com.amazonaws.REGION.SUFFIX (cn.com... in China)."""
    for endpoint in endpoints:
        name = endpoint.get("ServiceName", "")
        if name.endswith(f".{region}.{suffix}") and endpoint.get("State", "available").lower() == "available":
            return endpoint
    return None
