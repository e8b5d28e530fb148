"""The local stand-in for AWS: moto plus a thin layer with the Aurora behaviour moto lacks.

Nothing is imported here on purpose: moto and boto3 load only when a submodule is used
(`layer.install()`, `server.start()`, `seed.seed()`), so importing the CLI stays fast.
"""
