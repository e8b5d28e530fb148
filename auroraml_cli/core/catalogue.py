"""The services auroraml wires up, by name: one spec each (core/services/), read by setup,
teardown, check, grant, ddl and explain, which never branch on a service's name.

Every fact comes from the Aurora ML reference in the auroraml repository, docs/reference/ §1-3. Parameter names differ per generation
(CDK shipped the wrong S3 name for v3, aws/aws-cdk#19126), so they are keyed by it and tested
per generation. Adding a service means adding a spec module and listing it in services/__init__.py.
"""

from __future__ import annotations

from .errors import UsageError
from .services import AURORA_ML_UNAVAILABLE_REGIONS, REGIONAL_MINIMUM, SPECS, Service

__all__ = ["ALL_ROLE_PARAMETERS", "AURORA_ML_UNAVAILABLE_REGIONS", "MANAGED_BY", "REGIONAL_MINIMUM", "SERVICES",
           "SERVICE_NAMES", "Service", "TAG_CLUSTER", "TAG_MANAGED_BY", "TAG_SERVICE", "get_service"]


SERVICES: dict[str, Service] = {s.name: s for s in SPECS}

SERVICE_NAMES: tuple[str, ...] = tuple(SERVICES)

# Every parameter auroraml may set, across services and generations: teardown and check use it.
ALL_ROLE_PARAMETERS = frozenset(p for s in SERVICES.values() for names in s.parameters.values() for p in names)

# Tags on everything setup creates, so teardown and check touch only what is ours.
TAG_MANAGED_BY = "auroraml:managed-by"
TAG_CLUSTER = "auroraml:cluster"
TAG_SERVICE = "auroraml:service"
MANAGED_BY = "auroraml"


def get_service(name: str) -> Service:
    try:
        return SERVICES[name.lower()]
    except KeyError:
        raise UsageError(f"unknown service {name!r}", f"choose one of: {', '.join(SERVICE_NAMES)}") from None
