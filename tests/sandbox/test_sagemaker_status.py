"""A SageMaker endpoint that is not InService, through the API: UpdateEndpoint (Updating for the knob
endpoint_update_duration, then InService on the new configuration) and DeleteEndpoint."""

from __future__ import annotations

import pytest
from sandbox_support import ACCOUNT, LONG_DELAY, after_delay, deploy, error_code, error_message

from auroraml_cli.sandbox import layer

ARN = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/churn"
MISSING_CONFIG = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint-config/nope"


@pytest.fixture
def sagemaker(client, knobs):
    """Endpoint `churn` (InService), and a second configuration `churn-v2` to update it to."""
    deploy(client, "churn")
    control = client("sagemaker")
    variant = {"VariantName": "AllTraffic", "ModelName": "churn", "InitialInstanceCount": 2,
               "InstanceType": "ml.m5.xlarge"}
    control.create_endpoint_config(EndpointConfigName="churn-v2", ProductionVariants=[variant])
    layer.configure(endpoint_update_duration=LONG_DELAY)
    return control


def status(control, name="churn"):
    return control.describe_endpoint(EndpointName=name)["EndpointStatus"]


def invoke(client, name="churn"):
    runtime = client("sagemaker-runtime")
    return runtime.invoke_endpoint(EndpointName=name, ContentType="text/csv", Body=b"0\n")["Body"].read()


def test_an_update_is_updating_for_a_while_then_in_service_on_the_new_configuration(sagemaker):
    before = sagemaker.describe_endpoint(EndpointName="churn")
    assert sagemaker.update_endpoint(EndpointName="churn", EndpointConfigName="churn-v2")["EndpointArn"] == ARN
    during = sagemaker.describe_endpoint(EndpointName="churn")
    assert during["EndpointStatus"] == "Updating"
    assert during["EndpointConfigName"] == "churn"  # the old fleet serves until the new one is up
    pending = during["PendingDeploymentSummary"]
    assert pending["EndpointConfigName"] == "churn-v2"
    assert pending["ProductionVariants"] == [
        {"VariantName": "AllTraffic", "DesiredInstanceCount": 2, "InstanceType": "ml.m5.xlarge"}]
    listed = sagemaker.list_endpoints(StatusEquals="Updating")["Endpoints"]
    assert [e["EndpointName"] for e in listed] == ["churn"]

    after_delay()
    after = sagemaker.describe_endpoint(EndpointName="churn")
    assert after["EndpointStatus"] == "InService"
    assert after["EndpointConfigName"] == "churn-v2"
    assert after["ProductionVariants"][0]["CurrentInstanceCount"] == 2
    assert "PendingDeploymentSummary" not in after
    assert after["LastModifiedTime"] > before["LastModifiedTime"]
    assert [e["EndpointStatus"] for e in sagemaker.list_endpoints()["Endpoints"]] == ["InService"]


def test_an_endpoint_being_updated_still_answers(sagemaker, client):
    # AWS: UpdateEndpoint shifts traffic to the new fleet "(there is no availability loss)".
    sagemaker.update_endpoint(EndpointName="churn", EndpointConfigName="churn-v2")
    assert status(sagemaker) == "Updating"
    assert invoke(client) == b"0.5\n"


def test_a_second_update_meanwhile_is_refused(sagemaker):
    sagemaker.update_endpoint(EndpointName="churn", EndpointConfigName="churn-v2")
    with pytest.raises(sagemaker.exceptions.ClientError) as excinfo:
        sagemaker.update_endpoint(EndpointName="churn", EndpointConfigName="churn")
    assert error_code(excinfo) == "ValidationException"
    assert error_message(excinfo) == f'Cannot update in-progress endpoint "{ARN}".'


@pytest.mark.parametrize(("endpoint", "config", "missing"), [
    ("nope", "churn-v2", f"Could not find endpoint 'arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/nope'."),
    ("churn", "nope", f"Could not find endpoint configuration '{MISSING_CONFIG}'."),
])
def test_an_update_needs_the_endpoint_and_the_configuration(sagemaker, endpoint, config, missing):
    with pytest.raises(sagemaker.exceptions.ClientError) as excinfo:
        sagemaker.update_endpoint(EndpointName=endpoint, EndpointConfigName=config)
    assert (error_code(excinfo), error_message(excinfo)) == ("ValidationException", missing)
    assert status(sagemaker) == "InService"


def test_a_deleted_endpoint_is_gone_for_describe_and_invoke(sagemaker, client):
    sagemaker.delete_endpoint(EndpointName="churn")
    with pytest.raises(sagemaker.exceptions.ClientError) as described:
        status(sagemaker)
    assert error_message(described) == f"Could not find endpoint '{ARN}'."
    with pytest.raises(sagemaker.exceptions.ClientError) as invoked:
        invoke(client)
    assert error_code(invoked) == "ValidationError"
    assert error_message(invoked) == f"Endpoint churn of account {ACCOUNT} not found."


def test_deleted_while_updating_then_created_again_is_in_service(sagemaker):
    sagemaker.update_endpoint(EndpointName="churn", EndpointConfigName="churn-v2")
    sagemaker.delete_endpoint(EndpointName="churn")
    sagemaker.create_endpoint(EndpointName="churn", EndpointConfigName="churn")
    assert status(sagemaker) == "InService"
    after_delay()
    assert sagemaker.describe_endpoint(EndpointName="churn")["EndpointConfigName"] == "churn"


def test_the_update_duration_is_a_knob(knobs):
    assert layer.Settings().endpoint_update_duration == 2.0
    with pytest.raises(ValueError):
        layer.configure(endpoint_update_duration=-1)
    layer.configure(endpoint_update_duration=0)
    assert layer.settings.endpoint_update_duration == 0.0
