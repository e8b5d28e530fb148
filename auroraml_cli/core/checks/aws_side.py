"""The AWS side of `check`: what RDS, IAM, EC2, Bedrock and SageMaker say about one cluster.

Each function returns findings; none writes anything. The order is the order a person would
follow: engine and region, the parameter group and the role it names, the role's association,
trust and permissions, whether every instance runs with it, the network, then the models or
endpoints the functions call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..aws import error_code
from ..catalogue import SERVICE_NAMES, SERVICES, Service
from ..cluster import IN_SYNC, Cluster
from ..operator_policy import BOUNDARY_NAME, boundary_arn
from ..services.base import regional_minimum
from ..services.bedrock import base_model
from ..versions import AuroraVersion
from . import FAIL, PASS, SKIP, WARN, Finding, iam_eval, network
from .reader import Reader, RoleView

# Errors meaning "IAM will not simulate for you": fall back to reading the policies.
_NO_SIMULATION = {"AccessDenied", "AccessDeniedException", "NotImplemented", "InvalidAction", "UnknownOperation"}


@dataclass
class Scope:
    """What to check: services (None: those the cluster has wired), and the models, endpoints
    and Lambda functions the role must reach (none given: those the role's policy names)."""

    services: tuple[str, ...] | None = None
    model_ids: tuple[str, ...] = ()
    endpoints: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()


@dataclass
class ClusterFacts:
    """What the database side needs from the AWS side: the role each parameter names."""

    cluster: Cluster
    version: AuroraVersion | None
    services: list[str] = field(default_factory=list)
    parameters: dict[str, str | None] = field(default_factory=dict)
    roles: dict[str, list[RoleView]] = field(default_factory=dict)  # service → the roles read for it


def setup_fix(service: str, cluster: Cluster, *, reboot: bool = False, extra: str = "") -> str:
    cmd = f"auroraml setup {service} --cluster {cluster.id}{extra}"
    return cmd + (" --reboot --yes" if reboot else "")


def check_cluster(reader: Reader, raw: dict, scope: Scope) -> tuple[list[Finding], ClusterFacts]:
    cluster = Cluster.from_api(raw)
    facts = ClusterFacts(cluster, None)
    if cluster.engine != "aurora-mysql":
        return [Finding("engine", None, FAIL, f"{cluster.id} runs {cluster.engine} {cluster.engine_version}, not "
                        "aurora-mysql: Aurora machine learning for MySQL needs Aurora MySQL",
                        "use an Aurora MySQL cluster (aurora-postgresql has the aws_ml extension instead)")], facts
    facts.version = version = cluster.version
    findings: list[Finding] = []
    group = cluster.parameter_group
    facts.parameters = params = reader.parameters(cluster.region, group)
    findings.append(_parameter_group(reader, cluster))
    services = list(scope.services) if scope.services else _wired(params, version)
    facts.services = services
    if not services:
        findings.append(Finding("wired", None, FAIL, f"no aws_default_*_role parameter is set in {group}: no Aurora ML "
                                "service is wired to this cluster",
                                f"auroraml setup {{{'|'.join(SERVICE_NAMES)}}} --cluster {cluster.id} --reboot --yes"))
        return findings, facts
    findings.append(_reboots(cluster, services))
    sg_finding, egress = _egress(reader, raw, cluster)
    findings.append(sg_finding)
    for name in services:
        findings += _service(reader, raw, cluster, version, SERVICES[name], params, scope, egress, facts)
    return findings, facts


def _wired(params: dict[str, str | None], version: AuroraVersion) -> list[str]:
    return [name for name, svc in SERVICES.items()
            if version.generation in svc.parameters and any(params.get(p) for p in svc.parameters_for(version))]


def _parameter_group(reader: Reader, cluster: Cluster) -> Finding:
    group = cluster.parameter_group
    if group.startswith("default."):
        return Finding("parameter-group", None, FAIL, f"{cluster.id} uses the default group {group}, which cannot be "
                       "changed: no aws_default_*_role can be set (setup of any service creates a custom group)",
                       setup_fix("comprehend", cluster, reboot=True))
    sharing = sorted(c["DBClusterIdentifier"] for c in reader.clusters(cluster.region)
                     if c.get("DBClusterParameterGroup") == group and c["DBClusterIdentifier"] != cluster.id)
    if sharing:
        return Finding("parameter-group", None, WARN, f"{group} is shared with {', '.join(sharing)}: a change to it "
                       "changes them too", f"give {cluster.id} a group of its own: auroraml setup SERVICE --cluster "
                       f"{cluster.id} --parameter-group {cluster.id}-ml --reboot --yes")
    return Finding("parameter-group", None, PASS, f"{cluster.id} uses its own custom group {group}")


def _reboots(cluster: Cluster, services: list[str]) -> Finding:
    pending = [m.instance_id for m in cluster.ordered_members() if m.parameter_status != IN_SYNC]
    if pending:
        states = ", ".join(f"{m.instance_id} {m.parameter_status}" for m in cluster.ordered_members()
                           if m.parameter_status != IN_SYNC)
        return Finding("reboot", None, FAIL, f"the group's values are not running yet: {states} (setup reboots only "
                       "the instances that need it)", setup_fix(services[0], cluster, reboot=True))
    return Finding("reboot", None, PASS, f"every instance is in-sync with {cluster.parameter_group}"
                   if cluster.members else "the cluster has no instances")


def _service(reader: Reader, raw: dict, cluster: Cluster, version: AuroraVersion, svc: Service,
             params: dict[str, str | None], scope: Scope, egress: str, facts: ClusterFacts) -> list[Finding]:
    out = [_engine(cluster, version, svc), _region(reader, cluster, svc)]
    if out[0].status == FAIL or out[1].status == FAIL:
        return out + [Finding("role", svc.name, SKIP, "not checked: the engine or region cannot run this service")]
    role_arns: list[str] = []
    for parameter in svc.parameters_for(version):
        value = params.get(parameter)
        if not value:
            out.append(Finding("parameter", svc.name, FAIL, f"{cluster.parameter_group} does not set {parameter}",
                               setup_fix(svc.name, cluster, reboot=True)))
        else:
            out.append(Finding("parameter", svc.name, PASS, f"{parameter} = {value}"))
            if value not in role_arns:
                role_arns.append(value)
    documents: list[dict] = []
    for arn in role_arns:
        role_findings, role = _role(reader, cluster, svc, arn)
        out += role_findings
        if role:
            documents += role.documents
            facts.roles.setdefault(svc.name, []).append(role)
            out.append(_permissions(reader, cluster, svc, role, scope))
    out.append(_route(reader, raw, cluster, svc, egress))
    for kind in svc.checks:
        out += TARGET_CHECKS[kind](reader, cluster, scope, documents)
    return out


def _engine(cluster: Cluster, version: AuroraVersion, svc: Service) -> Finding:
    regional = regional_minimum(cluster.region, version)
    if regional is None:
        return Finding("engine", svc.name, FAIL, f"Aurora MySQL {version.generation}.x has no Aurora ML in {cluster.region}",
                       "upgrade to a generation the region supports (aws rds modify-db-cluster --engine-version ...)")
    if not svc.supported_by(version) or not version.at_least(regional):
        return Finding("engine", svc.name, FAIL, f"Aurora MySQL {version} is too old for {svc.title} (needs "
                       f"{svc.minimum_text()})", f"upgrade the engine: aws rds modify-db-cluster --db-cluster-identifier "
                       f"{cluster.id} --engine-version <a supported version> --apply-immediately")
    return Finding("engine", svc.name, PASS, f"Aurora MySQL {version} supports {svc.title}")


def _region(reader: Reader, cluster: Cluster, svc: Service) -> Finding:
    if svc.blocked_in(cluster.region):
        return Finding("region", svc.name, FAIL, f"Aurora ML is not offered in {cluster.region}",
                       "run the cluster in a region that offers Aurora ML (see the Aurora ML regions page)")
    regions = reader.aws.available_regions(svc.endpoint_service, cluster.partition) if svc.endpoint_service else []
    if regions and cluster.region not in regions:
        return Finding("region", svc.name, FAIL, f"{svc.title} is not offered in {cluster.region}; the service must be "
                       "in the cluster's own region", "use a region that offers the service")
    return Finding("region", svc.name, PASS, f"{svc.title} is offered in {cluster.region}" if regions
                   else f"botocore lists no regions for {svc.endpoint_service}: assumed offered in {cluster.region}")


def _role(reader: Reader, cluster: Cluster, svc: Service, arn: str) -> tuple[list[Finding], RoleView | None]:
    out = []
    association = cluster.roles.get(arn)
    status = (association or {}).get("Status")
    if association is None:
        out.append(Finding("role-associated", svc.name, FAIL, f"the parameter names {arn}, which is not associated "
                           f"with {cluster.id}", setup_fix(svc.name, cluster)))
    elif status == "ACTIVE":
        out.append(Finding("role-associated", svc.name, PASS, f"{arn} is associated and ACTIVE"))
    elif status == "PENDING":
        out.append(Finding("role-associated", svc.name, WARN, f"{arn} is associated but still PENDING",
                           "wait a minute and run check again"))
    else:
        out.append(Finding("role-associated", svc.name, FAIL, f"{arn} is associated but {status}: RDS cannot assume "
                           "it (deleted, or its trust policy changed)", setup_fix(svc.name, cluster)))
    role = reader.role(arn)
    if role is None:
        out.append(Finding("role-trust", svc.name, FAIL, f"role {arn} does not exist", setup_fix(svc.name, cluster)))
        return out, None
    try:
        trusted, why = iam_eval.trusts_rds(role.trust, cluster.account, str(cluster.arn))
    except ValueError as exc:  # an operator the evaluator does not know: say so, do not guess
        trusted, why = False, f"its trust policy could not be evaluated offline ({exc})"
    out.append(Finding("role-trust", svc.name, PASS if trusted else FAIL, f"{arn}: {why}",
                       None if trusted else setup_fix(svc.name, cluster)))
    if role.managed:
        out.append(_boundary(cluster, svc, role))
    return out, role


def _boundary(cluster: Cluster, svc: Service, role: RoleView) -> Finding:
    """A role auroraml manages carries the boundary (`auroraml iam-policy --bootstrap`). One made
    before the boundary existed is open to whoever may write its policy: an administrator fixes
    it, since setting a boundary is what the operator policy withholds."""
    expected = boundary_arn(cluster.partition, cluster.account)
    name = role.name
    if role.boundary == expected:
        return Finding("role-boundary", svc.name, PASS, f"{name} carries the permissions boundary {BOUNDARY_NAME}")
    has = f"has the permissions boundary {role.boundary}" if role.boundary else "has no permissions boundary"
    return Finding("role-boundary", svc.name, WARN, f"{name} {has}, not {expected}: the policies attached to it are "
                   "not capped at Aurora's data-plane calls", f"an administrator runs: aws iam put-role-permissions-"
                   f"boundary --role-name {name} --permissions-boundary {expected}")


def _wanted_resources(cluster: Cluster, svc: Service, scope: Scope, documents: Sequence[dict]) -> list[str]:
    wanted = svc.scope_resources(cluster.partition, cluster.region, cluster.account, scope)
    return wanted if wanted is not None else iam_eval.resources_for(documents, svc.checked_actions[0])


def _permissions(reader: Reader, cluster: Cluster, svc: Service, role: RoleView, scope: Scope) -> Finding:
    actions = svc.checked_actions
    resources = _wanted_resources(cluster, svc, scope, role.documents)
    fix = setup_fix(svc.name, cluster, extra=svc.setup_flags(scope))
    if not resources:
        return Finding("role-policy", svc.name, FAIL, f"{role.arn} is allowed {actions[0]} on nothing", fix)
    try:
        verdicts = reader.simulate(role.arn, tuple(actions), tuple(resources))
        how = "IAM policy simulation"
    except NotImplementedError:
        verdicts, how = None, None
    except Exception as exc:
        if error_code(exc) not in _NO_SIMULATION:
            raise
        verdicts, how = None, None
    denied: list[str] = []
    conditional = False
    if verdicts is None:
        how = "read from the role's policies"
        for action in actions:
            for resource in resources:
                decision, cond = iam_eval.decide(role.documents, action, resource)
                conditional = conditional or cond
                if decision != "allowed":
                    denied.append(f"{action} on {resource}")
    else:
        denied = [f"{a} on {r}" for (a, r), d in sorted(verdicts.items()) if d != "allowed"]
    shown = ", ".join(resources[:3]) + (f" and {len(resources) - 3} more" if len(resources) > 3 else "")
    if denied:
        return Finding("role-policy", svc.name, FAIL, f"{role.arn} may not call {'; '.join(denied[:3])} ({how})", fix)
    note = "; a Condition applies, not evaluated" if conditional else ""
    return Finding("role-policy", svc.name, PASS, f"{', '.join(actions)} allowed on {shown} ({how}{note})")


def function_permissions(reader: Reader, facts: ClusterFacts, targets: list[tuple[str, str, str, str]]) -> list[Finding]:
    """Each ALIAS function the database defines, against the role the cluster runs with for its
    service: the evaluator the sandbox runs on every call (iam_eval), so "the role cannot invoke
    model X" is found before anyone runs SQL. Conditions are not evaluated here (no request)."""
    cluster = facts.cluster
    out = []
    for schema, name, service, target in targets:
        roles = facts.roles.get(service)
        if not roles:
            continue  # the service is not wired, or its role is missing: the AWS side said so
        svc = SERVICES[service]
        action, arns, what = svc.function_request(cluster.partition, cluster.region, cluster.account, target)
        fix = setup_fix(service, cluster, extra=svc.target_flag(target))
        refused: list[str] = []
        note = ""
        for role in roles:
            boundary = reader.policy_document(role.boundary) if role.boundary else None
            for arn in arns:
                try:
                    verdict, conditional = iam_eval.decide(role.documents, action, arn)
                    if verdict == "allowed" and boundary is not None:
                        verdict = iam_eval.decide([boundary], action, arn)[0]
                except ValueError as exc:
                    verdict, conditional = f"not evaluated ({exc})", False
                note = note or ("; a Condition applies, not evaluated" if conditional else "")
                if verdict != "allowed":
                    refused.append(f"role {role.arn.rsplit('/', 1)[-1]} may not invoke ({action} on {arn})")
        if refused:
            out.append(Finding("function-policy", service, FAIL, f"function {schema}.{name} calls {what} {target}, which "
                               + "; ".join(dict.fromkeys(refused)), fix))
        else:
            out.append(Finding("function-policy", service, PASS, f"function {schema}.{name}: the role may call {action} "
                               f"on {what} {target}{note}"))
    return out


# --- network ---------------------------------------------------------------------------------

def _security_groups(reader: Reader, raw: dict, cluster: Cluster) -> list[str]:
    ids = [g["VpcSecurityGroupId"] for g in raw.get("VpcSecurityGroups", []) if g.get("VpcSecurityGroupId")]
    if not ids:  # some stand-ins report them on the instances only
        instances = reader.instances(cluster.region)
        for m in cluster.members:
            ids += [g["VpcSecurityGroupId"] for g in instances.get(m.instance_id, {}).get("VpcSecurityGroups", [])
                    if g.get("VpcSecurityGroupId") not in ids]
    return sorted(set(ids))


def _egress(reader: Reader, raw: dict, cluster: Cluster) -> tuple[Finding, str]:
    ids = _security_groups(reader, raw, cluster)
    if not ids:
        return Finding("network-egress", None, SKIP, "RDS names no security group for the cluster"), "unknown"
    verdict, detail = network.egress_443(reader.security_groups(cluster.region, tuple(ids)))
    fix = (f"aws ec2 authorize-security-group-egress --group-id {ids[0]} --ip-permissions "
           "'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0}]'")
    if verdict == "none":
        return Finding("network-egress", None, FAIL, detail + ": the cluster cannot reach any ML service", fix), verdict
    if verdict == "limited":
        return Finding("network-egress", None, WARN, detail + ": enough only if the services' VPC endpoints are there",
                       fix), verdict
    return Finding("network-egress", None, PASS, detail), verdict


def _route(reader: Reader, raw: dict, cluster: Cluster, svc: Service, egress: str) -> Finding:
    group_name = raw.get("DBSubnetGroup")
    group = reader.subnet_group(cluster.region, group_name) if group_name else None
    if not group:
        return Finding("network-route", svc.name, SKIP, f"DB subnet group {group_name or '(none)'} not found: route not checked")
    vpc = group.get("VpcId")
    subnets = [s["SubnetIdentifier"] for s in group.get("Subnets", [])]
    endpoint = network.service_endpoint(reader.vpc_endpoints(cluster.region, vpc), cluster.region, svc.vpc_endpoint)
    if endpoint:
        return Finding("network-route", svc.name, PASS, f"VPC endpoint {endpoint.get('VpcEndpointId')} for "
                       f"{endpoint.get('ServiceName')} in {vpc}")
    stuck = network.subnets_without_route(subnets, reader.route_tables(cluster.region, vpc))
    if stuck:
        return Finding("network-route", svc.name, FAIL, f"subnet(s) {', '.join(stuck)} of {group_name} have no default "
                       f"route out and {vpc} has no VPC endpoint for {svc.vpc_endpoint}",
                       f"add a NAT gateway route, or: aws ec2 create-vpc-endpoint --vpc-id {vpc} --vpc-endpoint-type "
                       f"{svc.vpc_endpoint_type} --service-name "
                       f"com.amazonaws.{cluster.region}.{svc.vpc_endpoint} --subnet-ids {' '.join(subnets[:2])}")
    return Finding("network-route", svc.name, PASS, f"every subnet of {group_name} has a default route out")


# --- what the functions call -------------------------------------------------------------------

def _models(reader: Reader, cluster: Cluster, scope: Scope, documents: list[dict]) -> list[Finding]:
    ids = list(scope.model_ids)
    if not ids:
        for arn in iam_eval.resources_for(documents, "bedrock:InvokeModel"):
            if "foundation-model/" in arn and "*" not in arn and arn.split(":")[3] in ("", cluster.region):
                ids.append(arn.split("foundation-model/", 1)[1])
    if not ids:
        return [Finding("model", "bedrock", SKIP, "no model named: pass --model-id to check one")]
    out = []
    for model_id in dict.fromkeys(ids):
        base = base_model(model_id)
        if reader.foundation_model(cluster.region, base) is None:
            out.append(Finding("model", "bedrock", FAIL, f"Bedrock has no model {base} in {cluster.region}",
                               "pick a model the region offers: aws bedrock list-foundation-models"))
            continue
        try:
            available = reader.model_availability(cluster.region, base)
        except Exception as exc:  # noqa: BLE001 - an account may not allow this read; say so, go on
            out.append(Finding("model", "bedrock", WARN, f"{base} exists in {cluster.region}; access not verified "
                               f"({error_code(exc) or type(exc).__name__})"))
            continue
        agreement = (available.get("agreementAvailability") or {}).get("status", "AVAILABLE")
        if available.get("authorizationStatus") != "AUTHORIZED" or agreement != "AVAILABLE" \
                or available.get("entitlementAvailability", "AVAILABLE") != "AVAILABLE":
            out.append(Finding("model", "bedrock", FAIL, f"access to {base} is not enabled in {cluster.region} "
                               f"(authorization {available.get('authorizationStatus')}, agreement {agreement})",
                               f"enable model access in the Bedrock console for {cluster.region}"))
        else:
            out.append(Finding("model", "bedrock", PASS, f"{base} is offered and access is enabled in {cluster.region}"))
    return out


def _endpoints(reader: Reader, cluster: Cluster, scope: Scope, documents: list[dict]) -> list[Finding]:
    names = list(scope.endpoints)
    if not names:
        for arn in iam_eval.resources_for(documents, "sagemaker:InvokeEndpoint"):
            if ":endpoint/" in arn and "*" not in arn:
                names.append(arn.split(":endpoint/", 1)[1])
    if not names:
        return [Finding("endpoint", "sagemaker", SKIP, "no endpoint named: pass --endpoint to check one")]
    regions = [cluster.region] + [r for r in _global_regions(reader, cluster) if r != cluster.region]
    out = []
    for name in dict.fromkeys(names):
        problems = []
        for region in regions:
            found = reader.sagemaker_endpoint(region, name)
            if found is None:
                problems.append(f"missing in {region}")
            elif found.get("EndpointStatus") != "InService":
                problems.append(f"{found.get('EndpointStatus')} in {region}")
        where = " and ".join(regions)
        if problems:
            out.append(Finding("endpoint", "sagemaker", FAIL, f"endpoint {name}: {', '.join(problems)} (it must be "
                               f"InService in {where})", "deploy the endpoint, with the same name, in every region listed"))
        else:
            out.append(Finding("endpoint", "sagemaker", PASS, f"endpoint {name} is InService in {where}"))
    return out


def _global_regions(reader: Reader, cluster: Cluster) -> list[str]:
    if not cluster.global_cluster_id:
        return []
    found = reader.global_cluster(cluster.global_cluster_id, cluster.region) or {}
    return [m["DBClusterArn"].split(":")[3] for m in found.get("GlobalClusterMembers", [])]


def _functions(reader: Reader, cluster: Cluster, scope: Scope, documents: list[dict]) -> list[Finding]:
    """Each Lambda function the role should reach exists (the policy check said whether it may)."""
    svc = SERVICES["lambda"]
    arns = svc.scope_resources(cluster.partition, cluster.region, cluster.account, scope)
    if arns is None:
        arns = [a for a in iam_eval.resources_for(documents, svc.iam_actions[0]) if ":function:" in a and "*" not in a]
    if not arns:
        return [Finding("function", svc.name, SKIP, "no function named: pass --function to check one")]
    out = []
    for arn in dict.fromkeys(arns):
        region = arn.split(":")[3]
        if reader.lambda_function(region, arn) is None:
            out.append(Finding("function", svc.name, FAIL, f"no Lambda function {arn} in {region}",
                               "create it, or name an existing one: " + setup_fix(svc.name, cluster, extra=" --function NAME")))
        else:
            out.append(Finding("function", svc.name, PASS, f"Lambda function {arn} exists"))
    return out


# What each service's spec lists in `checks`: the targets its role must reach, looked at.
TARGET_CHECKS = {"model": _models, "endpoint": _endpoints, "function": _functions}
