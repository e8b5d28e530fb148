"""The main job, as a user or a runbook runs it: installed `auroraml`, sandbox server, exit codes."""

from __future__ import annotations

import os
import signal
import subprocess

from .conftest import AURORAML, auroraml


def test_readme_main_job_runs_setup_with_a_reboot_in_its_own_sandbox(isolated):
    # Exactly the README's first command, after installation: its own sandbox on a free port.
    r = auroraml("sandbox", "run", "--", "auroraml", "-o", "json", "setup", "comprehend", "--cluster", "ml-demo",
                 "--reboot", "--yes", timeout=300)
    doc = r.json()
    assert doc["changed"] is True
    assert [(s["action"], s["status"]) for s in doc["steps"]][-2:] == [("reboot-instance", "done")] * 2
    assert "sandbox on http://127.0.0.1:" in r.stderr


def test_dry_run_and_second_run_make_no_write_call(sandbox):
    dry = auroraml("-vv", "-o", "json", "setup", "bedrock", "--cluster", "bedrock-ready",
                   "--model-id", "anthropic.claude-3-haiku-20240307-v1:0", "--reboot", "--dry-run")
    assert dry.json()["dry_run"] is True and dry.calls and dry.writes == []
    first = auroraml("-vv", "-o", "json", "setup", "bedrock", "--cluster", "bedrock-ready",
                     "--model-id", "anthropic.claude-3-haiku-20240307-v1:0", "--reboot", "--yes")
    assert "rds.AddRoleToDBCluster" in first.writes
    # JSON stays one parseable document on stdout at any verbosity; the calls went to stderr.
    assert first.json()["steps"][0]["action"] == "create-policy"
    second = auroraml("-vv", "-o", "json", "setup", "bedrock", "--cluster", "bedrock-ready",
                      "--model-id", "anthropic.claude-3-haiku-20240307-v1:0", "--reboot", "--yes")
    assert second.writes == [] and len(second.calls) < 10
    assert {s["status"] for s in second.json()["steps"]} == {"unchanged"}
    # 3.10.1 lists Bedrock in SupportedFeatureNames, so the association carries that feature name.
    roles = sandbox.client("rds").describe_db_clusters(DBClusterIdentifier="bedrock-ready")["DBClusters"][0]["AssociatedRoles"]
    assert [(r["Status"], r.get("FeatureName")) for r in roles] == [("ACTIVE", "Bedrock")]


def test_no_reboot_exits_7_for_runbooks_to_branch_on(sandbox):
    r = auroraml("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--no-reboot", code=7)
    assert "--reboot" in " ".join(s["detail"] for s in r.json()["steps"] if s["status"] == "skipped")
    members = sandbox.client("rds").describe_db_clusters(DBClusterIdentifier="ml-demo")["DBClusters"][0]["DBClusterMembers"]
    assert {m["DBClusterParameterGroupStatus"] for m in members} == {"pending-reboot"}


def test_refusals_exit_2_with_a_cause_and_a_next_step(sandbox):
    r = auroraml("setup", "bedrock", "--cluster", "legacy-v2", "--model-id", "amazon.titan-text-express-v1", code=2)
    lines = r.stderr.strip().splitlines()
    assert lines[-2].startswith("error: ") and "3.06" in lines[-2]
    assert lines[-1].strip().startswith("next: ")
    assert r.stdout == ""
    plain = auroraml("setup", "comprehend", "--cluster", "plain-mysql", code=2)
    assert "not aurora-mysql" in plain.stderr


def test_ctrl_c_mid_run_exits_130_and_the_same_command_resumes(sandbox, monkeypatch):
    import threading

    from moto.core.responses import BaseResponse

    from auroraml_cli.sandbox import layer

    # The sandbox server runs in this process: note when the run polls the association it sent.
    actions: list[str] = []
    polling = threading.Event()
    call_action = BaseResponse.call_action

    def noted(response):
        action = response._get_action()
        if action == "DescribeDBClusters" and "AddRoleToDBCluster" in actions:
            polling.set()
        actions.append(action)
        return call_action(response)

    monkeypatch.setattr(BaseResponse, "call_action", noted)
    layer.configure(association_delay=3600)
    argv = [AURORAML, "-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert polling.wait(60), actions  # interrupt while it waits for the association
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert "interrupted" in err
    layer.configure(association_delay=0.05)
    again = auroraml("-o", "json", "setup", "comprehend", "--cluster", "ml-demo", "--reboot", "--yes")
    statuses = {s["action"]: s["status"] for s in again.json()["steps"]}
    assert statuses["create-policy"] == statuses["create-role"] == "unchanged"
    # The association sent before Ctrl-C is found (PENDING or ACTIVE by now), not repeated; what
    # came after it is done now.
    assert statuses["associate-role"] == "unchanged"
    assert statuses["create-parameter-group"] == statuses["set-parameter"] == "done"
    c = sandbox.client("rds").describe_db_clusters(DBClusterIdentifier="ml-demo")["DBClusters"][0]
    assert [r["Status"] for r in c["AssociatedRoles"]] == ["ACTIVE"]
    assert {m["DBClusterParameterGroupStatus"] for m in c["DBClusterMembers"]} == {"in-sync"}
