"""Issue 17 end to end: the installed `auroraml plan -f` / `apply -f` against a sandbox server: three
services on one cluster and a second cluster in another region; plan exits 2, apply reboots each
member once, then plan exits 0 with no AWS write; one parameter changed out of band is named."""

from __future__ import annotations

from auroraml_cli.sandbox import seed
from support.fleet_files import FLEET

from .conftest import auroraml



def test_plan_apply_plan_on_two_regions(sandbox, tmp_path):
    seed._seed_cluster(sandbox.client("rds", "eu-west-1"), seed.SeedCluster("ml-eu", seed.V3, instances=2, region="eu-west-1"))
    path = tmp_path / "fleet.toml"
    path.write_text(FLEET)
    fleet = str(path)

    first = auroraml("-vv", "-o", "json", "plan", "-f", fleet, "--detailed-exitcode", code=2)
    assert first.writes == [] and first.json()["changes"] > 0

    applied = auroraml("-vv", "-o", "json", "apply", "-f", fleet, "--yes", timeout=300)
    assert applied.json()["failed"] == []
    assert applied.writes.count("rds.RebootDBInstance") == 4  # two members in each cluster, once each

    again = auroraml("-vv", "-o", "json", "plan", "-f", fleet, "--detailed-exitcode", code=0)
    assert again.json()["changes"] == 0 and again.calls and again.writes == []

    sandbox.client("rds").modify_db_cluster_parameter_group(
        DBClusterParameterGroupName="auroraml-ml-demo",
        Parameters=[{"ParameterName": "aws_default_comprehend_role", "ParameterValue": "arn:aws:iam::123456789012:role/other", "ApplyMethod": "pending-reboot"}])
    drift = auroraml("-o", "json", "plan", "-f", fleet, "--detailed-exitcode", code=2).json()
    demo, eu = drift["clusters"]
    assert [(s["action"], s["target"]) for s in demo["steps"] if s["status"] == "planned" and s["action"] != "reboot-instance"] == [
        ("set-parameter", "auroraml-ml-demo:aws_default_comprehend_role")]
    assert eu["changes"] == 0


def test_a_refused_file_names_file_line_and_key(sandbox, tmp_path):
    path = tmp_path / "fleet.toml"
    path.write_text('[[cluster]]\nid = "ml-demo"\n\n[cluster.comprehend]\nmodels = ["x"]\n')
    r = auroraml("plan", "-f", str(path), "--detailed-exitcode", code=2)
    assert r.stdout == "" and f"error: {path}:5: cluster[0].comprehend.models: unknown key" in r.stderr


def test_functions_and_grants_in_the_file_are_planned_and_applied_on_the_cluster_s_database(sandbox, tmp_path):
    from .test_database_e2e import _master

    with _master(sandbox).cursor() as cur:
        cur.execute("CREATE USER 'analyst'@'%' IDENTIFIED BY 'analyst-password-1'")
        cur.execute("CREATE DATABASE mldb")
    path = tmp_path / "fleet.toml"
    path.write_text('[[cluster]]\nid = "ml-demo"\n[cluster.comprehend]\n\n'
                    '[[cluster.grants]]\nservice = "comprehend"\nuser = "analyst@%"\n'
                    '[[cluster.functions]]\nname = "mldb.churn"\n'
                    'sagemaker = { endpoint = "churn-predictor", args = ["age:INT", "tenure:INT"], returns = "DOUBLE" }\n')
    first = auroraml("-o", "json", "plan", "-f", str(path), "--detailed-exitcode", code=2).json()
    steps = first["clusters"][0]["steps"]
    db_steps = [(s["action"], s["status"]) for s in steps if s["action"] in ("create-function", "grant-role", "set-default-role")]
    assert db_steps == [("create-function", "planned"), ("grant-role", "planned"), ("set-default-role", "planned")]
    # the grants come before the reboots, which close the plan
    assert [s["action"] for s in steps][-2:] == ["reboot-instance", "reboot-instance"]
    auroraml("apply", "-f", str(path), "--yes", timeout=300)
    again = auroraml("-o", "json", "plan", "-f", str(path), "--detailed-exitcode", code=0).json()
    assert {s["status"] for s in again["clusters"][0]["steps"]} == {"unchanged"}
    with _master(sandbox).cursor() as cur:
        cur.execute("SHOW GRANTS FOR 'analyst'@'%'")
        assert any("AWS_COMPREHEND_ACCESS" in row[0] for row in cur.fetchall())
        cur.execute("SHOW CREATE FUNCTION mldb.churn")
        assert "AWS_SAGEMAKER_INVOKE_ENDPOINT" in cur.fetchone()[2]
