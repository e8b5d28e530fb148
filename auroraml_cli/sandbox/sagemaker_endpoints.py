"""SageMaker's UpdateEndpoint, which moto lacks: an endpoint not InService, through the API.

UpdateEndpoint puts the endpoint in `Updating` for the knob endpoint_update_duration, with the new
configuration in PendingDeploymentSummary; then it is `InService` on the new configuration
(EndpointConfigName, ProductionVariants, LastModifiedTime). As on AWS, an endpoint being updated
still answers InvokeEndpoint ("there is no availability loss", AWS's UpdateEndpoint reference), a
second UpdateEndpoint meanwhile is refused ("Cannot update in-progress endpoint"), and a missing
endpoint or configuration is a ValidationException. DeleteEndpoint, the other way to break an
endpoint, is moto's own.

The updates in progress are kept on moto's SageMaker backend of the account and region, so moto's
reset forgets them. Time is read on each describe, list and invoke: no thread ends an update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import FakeEndpoint, SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse

from . import layer
from ._patch import clock, define, wrap

_UPDATES = "_auroraml_endpoint_updates"  # on SageMakerModelBackend: endpoint name → Update
# The states in which an endpoint answers InvokeEndpoint (an update keeps the old fleet serving).
SERVING = ("InService", "Updating")


def install() -> None:
    define(SageMakerModelBackend, "update_endpoint", update_endpoint)
    define(SageMakerResponse, "update_endpoint", _update_endpoint_response)
    wrap(SageMakerModelBackend, "describe_endpoint", _settled)
    wrap(SageMakerModelBackend, "list_endpoints", _settled)


@dataclass
class Update:
    endpoint: FakeEndpoint
    config: dict[str, Any]  # DescribeEndpointConfig of the configuration being deployed
    started: float = field(default_factory=clock)


def _updates(backend: SageMakerModelBackend) -> dict[str, Update]:
    return backend.__dict__.setdefault(_UPDATES, {})


def settle(backend: SageMakerModelBackend) -> None:
    """Finish the updates whose time is up (and forget those of endpoints deleted meanwhile)."""
    updates = _updates(backend)
    for name, update in list(updates.items()):
        if backend.endpoints.get(name) is not update.endpoint:
            del updates[name]
        elif clock() >= update.started + layer.settings.endpoint_update_duration:
            _finish(update)
            del updates[name]


def _finish(update: Update) -> None:
    endpoint, config = update.endpoint, update.config
    endpoint.endpoint_config_name = config["EndpointConfigName"]
    endpoint.production_variants = endpoint._process_production_variants(config["ProductionVariants"])
    endpoint.data_capture_config = config.get("DataCaptureConfig")
    endpoint.endpoint_status = "InService"
    endpoint.last_modified_time = utcnow()
    endpoint.__dict__.pop("pending_deployment_summary", None)


def update_endpoint(backend: SageMakerModelBackend, endpoint_name: str, endpoint_config_name: str) -> str:
    settle(backend)
    endpoint = backend.endpoints.get(endpoint_name)
    arn = FakeEndpoint.arn_formatter(endpoint_name, backend.account_id, backend.region_name)
    if endpoint is None:
        raise ValidationError(message=f"Could not find endpoint '{arn}'.")
    if endpoint.endpoint_status != "InService":
        raise ValidationError(message=f'Cannot update in-progress endpoint "{arn}".')
    config = backend.describe_endpoint_config(endpoint_config_name)  # ValidationError if missing
    endpoint.endpoint_status = "Updating"
    # moto's DescribeEndpoint answers every attribute of the endpoint, so this is what AWS shows
    # while an update runs.
    endpoint.pending_deployment_summary = {
        "EndpointConfigName": endpoint_config_name,
        "ProductionVariants": [
            {key: variant[key] for key in ("VariantName", "InstanceType") if key in variant}
            | {"DesiredInstanceCount": variant.get("InitialInstanceCount", 1)}
            for variant in config["ProductionVariants"]
        ],
        "StartTime": utcnow(),
    }
    _updates(backend)[endpoint_name] = Update(endpoint, config)
    return endpoint.arn


def _update_endpoint_response(response: SageMakerResponse) -> ActionResult:
    arn = response.sagemaker_backend.update_endpoint(
        response._get_param("EndpointName"), response._get_param("EndpointConfigName")
    )
    return ActionResult({"EndpointArn": arn})


def _settled(original: Any, backend: SageMakerModelBackend, *args: Any, **kwargs: Any) -> Any:
    settle(backend)
    return original(backend, *args, **kwargs)
