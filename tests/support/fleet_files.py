"""The fleet file the plan -f / apply -f tests share (issue 17's check): three services on one
cluster and a second cluster in another region."""

FLEET = """\
[defaults]
region = "us-east-1"

[[cluster]]
id = "ml-demo"

[cluster.comprehend]

[cluster.sagemaker]
endpoints = ["churn-predictor"]

[cluster.s3]
bucket = "ml-demo-exports"
prefix = "ml/"

[[cluster]]
id = "ml-eu"
region = "eu-west-1"
[cluster.comprehend]
"""
