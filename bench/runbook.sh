#!/usr/bin/env bash
# The hand-written runbook auroraml replaces: the 8 `aws` calls of docs/reference/performance.md
# for Comprehend on one cluster (no reboot), aimed at a local stand-in.
# Usage: runbook.sh CLUSTER ENDPOINT_URL
set -euo pipefail
cluster=$1
ep=(--endpoint-url "$2")
account=123456789012
name="runbook-comprehend-$cluster"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/policy.json" <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["comprehend:DetectSentiment","comprehend:BatchDetectSentiment"],"Resource":"*"}]}
JSON
cat >"$dir/trust.json" <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rds.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"$account"}}}]}
JSON
aws "${ep[@]}" iam create-policy --policy-name "$name" --policy-document "file://$dir/policy.json" >/dev/null
aws "${ep[@]}" iam create-role --role-name "$name" --assume-role-policy-document "file://$dir/trust.json" >/dev/null
aws "${ep[@]}" iam attach-role-policy --role-name "$name" --policy-arn "arn:aws:iam::$account:policy/$name"
aws "${ep[@]}" rds create-db-cluster-parameter-group --db-cluster-parameter-group-name "$name" \
  --db-parameter-group-family aurora-mysql8.0 --description "runbook" >/dev/null
aws "${ep[@]}" rds modify-db-cluster-parameter-group --db-cluster-parameter-group-name "$name" \
  --parameters "ParameterName=aws_default_comprehend_role,ParameterValue=arn:aws:iam::$account:role/$name,ApplyMethod=pending-reboot" >/dev/null
aws "${ep[@]}" rds modify-db-cluster --db-cluster-identifier "$cluster" --db-cluster-parameter-group-name "$name" --apply-immediately >/dev/null
aws "${ep[@]}" rds add-role-to-db-cluster --db-cluster-identifier "$cluster" --role-arn "arn:aws:iam::$account:role/$name"
aws "${ep[@]}" rds describe-db-clusters --db-cluster-identifier "$cluster" >/dev/null
