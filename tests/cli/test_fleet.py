"""`auroraml plan -f` / `apply -f` (issue 17) on the in-process sandbox: three services on one
cluster and a second cluster in another region; one reboot per cluster per apply; a second plan
makes no AWS write; a parameter changed out of band is named, and only it."""

from __future__ import annotations

import json

import pytest

from support.aws_calls import aws_calls  # noqa: F401 - the fixture
from support.fleet_files import FLEET



@pytest.fixture
def fleet(sandbox_aws, tmp_path):
    """The file above, and a cluster ml-eu (two members) in eu-west-1 made like the sandbox's own."""
    import boto3

    from auroraml_cli.sandbox import seed

    seed._seed_cluster(boto3.client("rds", region_name="eu-west-1"),
                       seed.SeedCluster("ml-eu", seed.V3, instances=2, region="eu-west-1"))
    path = tmp_path / "fleet.toml"
    path.write_text(FLEET)
    return str(path)


def _reboots(result) -> list[str]:
    return [c for c in result.writes if c.endswith("RebootDBInstance")]


def test_plan_shows_every_service_and_one_reboot_per_member(cli, fleet):
    r = cli("-o", "json", "plan", "-f", fleet, "--detailed-exitcode", code=2)
    doc = r.json()
    assert r.writes == [] and doc["changes"] > 0 and doc["failed"] == []
    demo, eu = doc["clusters"]
    assert (demo["cluster"], demo["region"], eu["cluster"], eu["region"]) == ("ml-demo", "us-east-1", "ml-eu", "eu-west-1")
    params = sorted(s["target"].split(":")[1] for s in demo["steps"] if s["action"] == "set-parameter")
    assert params == ["aws_default_comprehend_role", "aws_default_s3_role", "aws_default_sagemaker_role"]
    for cluster in (demo, eu):
        actions = [s["action"] for s in cluster["steps"]]
        # the cluster's own parameter group made and attached once, for every service
        assert actions.count("create-parameter-group") == 1 and actions.count("attach-parameter-group") == 1
        reboots = [s["target"] for s in cluster["steps"] if s["action"] == "reboot-instance"]
        assert reboots == [f"{cluster['cluster']}-1", f"{cluster['cluster']}-2"]  # once each, writer first, last
        assert actions[-2:] == ["reboot-instance", "reboot-instance"]


def test_plan_without_detailed_exitcode_exits_0(cli, fleet):
    cli("plan", "-f", fleet, code=0)


def test_apply_reboots_each_member_once_then_plan_makes_no_write(cli, fleet, aws_calls):  # noqa: F811
    r = cli("-o", "json", "apply", "-f", fleet, "--yes", "--parallel", "2", code=0)
    doc = r.json()
    assert doc["failed"] == [] and all(c["status"] != "failed" for c in doc["clusters"])
    assert sorted(p["@region"] + ":" + p["DBInstanceIdentifier"] for op, p in aws_calls if op == "rds.RebootDBInstance") == [
        "eu-west-1:ml-eu-1", "eu-west-1:ml-eu-2", "us-east-1:ml-demo-1", "us-east-1:ml-demo-2"]
    assert len(_reboots(r)) == 4
    aws_calls.clear()
    again = cli("-o", "json", "plan", "-f", fleet, "--detailed-exitcode", code=0)
    assert again.json()["changes"] == 0 and again.writes == []
    assert [c for c in aws_calls if not c[0].split(".")[1].startswith(("Describe", "Get", "List", "Simulate", "Head"))] == []
    # and an apply of what is already so changes nothing, reboots nothing
    assert _reboots(cli("apply", "-f", fleet, code=0)) == []


def test_a_parameter_changed_out_of_band_is_named_exactly(cli, fleet, boto):
    cli("apply", "-f", fleet, "--yes", code=0)
    boto("rds").modify_db_cluster_parameter_group(
        DBClusterParameterGroupName="auroraml-ml-demo",
        Parameters=[{"ParameterName": "aws_default_sagemaker_role", "ParameterValue": "arn:aws:iam::123456789012:role/other",
                     "ApplyMethod": "pending-reboot"}])
    r = cli("-o", "json", "plan", "-f", fleet, "--detailed-exitcode", code=2)
    demo, eu = r.json()["clusters"]
    changed = [(s["action"], s["target"]) for s in demo["steps"] if s["status"] == "planned" and s["action"] != "reboot-instance"]
    assert changed == [("set-parameter", "auroraml-ml-demo:aws_default_sagemaker_role")]
    assert eu["changes"] == 0


def test_one_cluster_failing_does_not_stop_the_other(cli, fleet, boto):
    """ml-eu's profile is not configured: that cluster fails (exit 3, named in the summary), ml-demo is applied."""
    text = open(fleet).read().replace('region = "eu-west-1"', 'region = "eu-west-1"\nprofile = "eu-prod"')
    open(fleet, "w").write(text)
    r = cli("-o", "json", "apply", "-f", fleet, "--yes", code=3)
    doc = r.json()
    assert doc["failed"] == ["ml-eu"]
    demo, eu = doc["clusters"]
    assert demo["status"] == "ok" and {s["status"] for s in demo["steps"]} == {"done"}
    assert eu["status"] == "failed" and eu["error"]["exit_code"] == 3 and "eu-prod" in eu["error"]["message"]
    assert "1 of 2 cluster(s) failed: ml-eu" in r.stderr
    assert sorted(c for c in _reboots(r)) == ["rds.RebootDBInstance"] * 2  # ml-demo's two members only


def test_a_service_the_version_cannot_have_is_refused_with_file_and_line(cli, sandbox_aws, tmp_path):
    path = tmp_path / "fleet.toml"
    path.write_text('[[cluster]]\nid = "legacy-v2"\n\n[cluster.bedrock]\nmodels = ["amazon.titan-text-express-v1"]\n')
    r = cli("apply", "-f", str(path), "--yes", code=2)
    assert r.writes == []
    assert f"{path}:4: cluster[0].bedrock (legacy-v2):" in r.stderr and "needs Aurora MySQL" in r.stderr


def test_an_unknown_key_is_refused_before_any_aws_call(cli, sandbox_aws, tmp_path):
    path = tmp_path / "fleet.toml"
    path.write_text('[[cluster]]\nid = "ml-demo"\n[cluster.sagemaker]\nendpoints = ["a"]\nendpoint = "b"\n')
    r = cli("plan", "-f", str(path), code=2)
    r.assert_refused()
    assert f"{path}:5: cluster[0].sagemaker.endpoint: unknown key" in r.stderr


def test_a_missing_file_is_a_usage_error(cli, sandbox_aws, tmp_path):
    cli("plan", "-f", str(tmp_path / "nope.toml"), code=2).assert_refused()


def test_apply_without_consent_is_refused_before_any_write(cli, fleet):
    r = cli("apply", "-f", fleet, code=2)
    assert r.writes == [] and "stdin is not a terminal" in r.stderr


def test_json_is_one_document(cli, fleet):
    json.loads(cli("-o", "json", "plan", "-f", fleet).stdout)


def test_state_writes_a_file_plan_finds_unchanged(cli, fleet, tmp_path):
    cli("apply", "-f", fleet, "--yes", code=0)
    r = cli("state", "--cluster", "ml-demo", "--cluster", "arn:aws:rds:eu-west-1:123456789012:cluster:ml-eu", code=0)
    assert r.writes == []
    written = tmp_path / "state.toml"
    written.write_text(r.stdout)
    from auroraml_cli.core.fleet import file as fleet_file

    demo, eu = fleet_file.load(written).clusters
    assert {s.name: s.options for s in demo.services} == {
        "comprehend": {}, "sagemaker": {"endpoints": ["churn-predictor"]}, "s3": {"bucket": "ml-demo-exports", "prefix": "ml"}}
    assert (eu.id, eu.region, [s.name for s in eu.services]) == ("ml-eu", "eu-west-1", ["comprehend"])
    again = cli("-o", "json", "plan", "-f", str(written), "--detailed-exitcode", code=0)
    assert again.json()["changes"] == 0 and again.writes == []


def test_state_of_a_bedrock_cluster_round_trips(cli, sandbox_aws, tmp_path):
    cli("setup", "bedrock", "--cluster", "bedrock-ready", "--model-id", "anthropic.claude-3-haiku-20240307-v1:0",
        "--reboot", "--yes", code=0)
    r = cli("state", "--cluster", "bedrock-ready", code=0)
    assert 'models = ["anthropic.claude-3-haiku-20240307-v1:0"]' in r.stdout
    path = tmp_path / "state.toml"
    path.write_text(r.stdout)
    cli("plan", "-f", str(path), "--detailed-exitcode", code=0)


def test_grants_without_a_database_to_reach_leave_a_note_and_the_aws_side_planned(cli, sandbox_aws, tmp_path):
    path = tmp_path / "fleet.toml"
    path.write_text('[[cluster]]\nid = "ml-demo"\n[cluster.comprehend]\n[[cluster.grants]]\nservice = "comprehend"\nuser = "analyst@%"\n')
    r = cli("-o", "json", "plan", "-f", str(path), "--detailed-exitcode", code=2)
    demo = r.json()["clusters"][0]
    assert any(n.startswith("database side not read (1 grant(s), 0 function(s) in the file)") for n in demo["notes"])
    assert {s["action"] for s in demo["steps"]} >= {"create-policy", "set-parameter", "reboot-instance"}


def test_a_grant_to_an_impossible_account_is_refused_with_its_line(cli, sandbox_aws, tmp_path):
    path = tmp_path / "fleet.toml"
    path.write_text('[[cluster]]\nid = "ml-demo"\n[[cluster.grants]]\nservice = "comprehend"\nuser = "' + "x" * 40 + '@%"\n')
    r = cli("plan", "-f", str(path), code=2)
    r.assert_refused()
    assert f"{path}:5: cluster[0].grants[0].user:" in r.stderr


def test_removing_a_service_changes_nothing_unless_prune(cli, fleet, aws_calls):  # noqa: F811
    cli("apply", "-f", fleet, "--yes", code=0)
    text = open(fleet).read().replace('[cluster.s3]\nbucket = "ml-demo-exports"\nprefix = "ml/"\n', "")
    open(fleet, "w").write(text)
    cli("plan", "-f", fleet, "--detailed-exitcode", code=0)
    pruned = cli("-o", "json", "plan", "-f", fleet, "--detailed-exitcode", "--prune", code=2).json()
    demo, eu = pruned["clusters"]
    planned = [(s["action"], s["target"]) for s in demo["steps"] if s["status"] == "planned"]
    assert planned == [("reset-parameter", "auroraml-ml-demo:aws_default_s3_role"),
                       ("reboot-instance", "ml-demo-1"), ("reboot-instance", "ml-demo-2"),
                       ("remove-role", "ml-demo"), ("delete-role", "auroraml-s3-ml-demo"),
                       ("delete-policy", "auroraml-s3-ml-demo")]
    assert eu["changes"] == 0
    aws_calls.clear()
    cli("apply", "-f", fleet, "--yes", "--prune", code=0)
    assert [p["DBInstanceIdentifier"] for op, p in aws_calls if op == "rds.RebootDBInstance"] == ["ml-demo-1", "ml-demo-2"]
    cli("plan", "-f", fleet, "--detailed-exitcode", "--prune", code=0)


def test_an_interrupted_apply_starts_no_further_step_and_the_next_apply_resumes(cli, fleet, boto):
    """The stop flag Ctrl-C sets: a cluster's worker runs no step after it (all stay planned), so the
    same apply afterwards makes every change, once."""
    import threading

    from auroraml_cli.app import App
    from auroraml_cli.commands.fleet import _apply_one
    from auroraml_cli.core.fleet import file as fleet_file
    from auroraml_cli.core.fleet.plan import ClusterPlan, plan_cluster
    from auroraml_cli.core.settings import Settings

    app = App(Settings())
    loaded = fleet_file.load(fleet)
    result = ClusterPlan(loaded.clusters[0])
    result.plan = plan_cluster(app.aws, loaded, result.want, poll_interval=0.02)
    stop = threading.Event()
    stop.set()
    with pytest.raises(KeyboardInterrupt):
        _apply_one(app, result, 60.0, stop)
    assert {s.status for s in result.plan.steps if s.status != "unchanged"} == {"planned"}
    assert "auroraml-comprehend-ml-demo" not in [p["PolicyName"] for p in boto("iam").list_policies(Scope="Local")["Policies"]]
    done = cli("-o", "json", "apply", "-f", fleet, "--yes", code=0).json()
    assert done["failed"] == []


def test_parallel_1_runs_the_clusters_one_after_the_other_in_file_order(cli, fleet, aws_calls):  # noqa: F811
    cli("apply", "-f", fleet, "--yes", "--parallel", "1", code=0)
    from auroraml_cli.core.aws import is_write

    regions = [p["@region"] for op, p in aws_calls if is_write(op.split(".", 1)[1]) and not op.startswith("iam.")]
    assert regions and regions == sorted(regions, key=lambda r: r != "us-east-1")  # all of ml-demo's, then ml-eu's
    assert "eu-west-1" in regions


# --- [[cluster.functions]] that differ from the cluster's: never a create that apply cannot make ---

SANDBOX_PASSWORD = "sandbox-pw-1"
FUNCTION = ('[[cluster]]\nid = "ml-demo"\n\n[[cluster.functions]]\nname = "mldb.churn"\n{replace}'
            'sagemaker = {{ endpoint = "churn-predictor", args = ["age:INT"], returns = "{returns}" }}\n')


@pytest.fixture
def ml_sql(sandbox_aws, isolated, monkeypatch, tmp_path):
    """ml-demo's database: the sandbox's SQL endpoint, reached through AURORAML_HOST/PORT and an
    option file; mldb.churn exists RETURNS DOUBLE. Yields (write the file, SHOW CREATE FUNCTION)."""
    import pymysql

    from auroraml_cli.sandbox.sql import start_endpoint

    with start_endpoint(cluster_id="ml-demo", engine_version="8.0.mysql_aurora.3.08.0", master_password=SANDBOX_PASSWORD) as ep:
        conn = pymysql.connect(host=ep.host, port=ep.port, user="admin", password=SANDBOX_PASSWORD, autocommit=True)
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE mldb")
            cur.execute("CREATE FUNCTION mldb.churn (age INT) RETURNS DOUBLE "
                        "ALIAS AWS_SAGEMAKER_INVOKE_ENDPOINT ENDPOINT NAME 'churn-predictor'")
        cnf = isolated / "admin.cnf"
        cnf.write_text(f"[client]\nuser = admin\npassword = {SANDBOX_PASSWORD}\n")
        for key, value in (("HOST", ep.host), ("PORT", str(ep.port)), ("DEFAULTS_FILE", str(cnf))):
            monkeypatch.setenv(f"AURORAML_{key}", value)
        path = tmp_path / "fleet.toml"

        def write(returns: str, replace: str = "") -> str:
            path.write_text(FUNCTION.format(returns=returns, replace=replace))
            return str(path)

        def definition() -> str:
            with conn.cursor() as cur:
                cur.execute("SHOW CREATE FUNCTION mldb.churn")
                return cur.fetchone()[2]

        yield write, definition
        conn.close()


def test_an_identical_function_is_unchanged(cli, ml_sql):
    write, _ = ml_sql
    r = cli("-o", "json", "plan", "-f", write("DOUBLE"), "--detailed-exitcode", code=0)
    assert [(s["action"], s["status"]) for s in r.json()["clusters"][0]["steps"]] == [("create-function", "unchanged")]


def test_a_function_that_differs_is_blocked_not_planned_and_apply_leaves_it(cli, ml_sql):
    write, definition = ml_sql
    fleet, before = write("INT"), definition()
    r = cli("-o", "json", "plan", "-f", fleet, "--detailed-exitcode", code=2)  # the cluster is not as the file says
    demo = r.json()["clusters"][0]
    assert r.json()["changes"] == 0 and demo["status"] == "blocked"
    from tests.cli.test_json_schemas import validate

    validate("plan", r.json())  # the documented shape has the blocked status too
    (step,) = demo["steps"]
    assert (step["action"], step["target"], step["status"]) == ("replace-function", "`mldb`.`churn`", "skipped")
    assert step["detail"].startswith("differs from the file: the cluster has `") and "returns double" in step["detail"]
    assert "set replace = true on this function (or run auroraml ddl sagemaker mldb.churn ... --apply --replace)" in step["detail"]
    assert "ml-demo: `mldb`.`churn`: apply will not change it: differs from the file" in r.stderr
    assert r.stderr.splitlines()[-1] == ("no changes apply can make; 1 function(s) differ from the file and will not "
                                         "be replaced (see above)")
    cli("plan", "-f", fleet, code=0)  # without --detailed-exitcode a plan is a plan

    applied = cli("-o", "json", "apply", "-f", fleet, "--yes", code=2)
    doc = applied.json()
    assert doc["failed"] == ["ml-demo"] and doc["clusters"][0]["status"] == "failed"
    assert doc["clusters"][0]["error"]["message"] == "1 function(s) differ from the file and were not replaced: `mldb`.`churn`"
    assert "set replace = true" in doc["clusters"][0]["error"]["hint"]
    assert "ml-demo: FAILED: 1 function(s) differ from the file" in applied.stderr
    assert "1 of 1 cluster(s) failed: ml-demo" in applied.stderr
    assert definition() == before


def test_replace_true_probes_and_replaces_then_the_plan_is_clean(cli, ml_sql):
    write, definition = ml_sql
    fleet = write("INT", "replace = true\n")
    r = cli("-o", "json", "plan", "-f", fleet, "--detailed-exitcode", code=2)
    demo = r.json()["clusters"][0]
    assert [(s["action"], s["status"]) for s in demo["steps"]] == [("probe-function", "planned"), ("replace-function", "planned")]
    assert demo["status"] == "changes"
    applied = cli("-o", "json", "apply", "-f", fleet, "--yes", code=0)
    assert [s["status"] for s in applied.json()["clusters"][0]["steps"]] == ["done", "done"]
    assert "RETURNS int" in definition() or "RETURNS INT" in definition()
    again = cli("-o", "json", "plan", "-f", fleet, "--detailed-exitcode", code=0)
    assert [s["status"] for s in again.json()["clusters"][0]["steps"]] == ["unchanged"]


def test_replace_true_without_yes_and_no_terminal_is_refused_before_any_change(cli, ml_sql):
    write, definition = ml_sql
    before = definition()
    r = cli("apply", "-f", write("INT", "replace = true\n"), code=2)
    assert r.stdout == "" and definition() == before
    assert "drops and re-creates `mldb`.`churn` and stdin is not a terminal: nothing was changed" in r.stderr


def test_replace_true_on_a_function_not_there_yet_is_a_create_that_needs_no_consent(cli, ml_sql):
    write, definition = ml_sql
    fleet = write("INT", "replace = true\n")
    text = open(fleet).read().replace('"mldb.churn"', '"mldb.fresh"')
    open(fleet, "w").write(text)
    r = cli("-o", "json", "apply", "-f", fleet, code=0)  # nothing is taken away: no question, no --yes
    assert [(s["action"], s["status"]) for s in r.json()["clusters"][0]["steps"]] == [("create-function", "done")]
    assert "RETURNS DOUBLE" in definition().upper()  # the other function is untouched
