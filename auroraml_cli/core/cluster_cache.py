"""Cluster ids for TAB completion of `--cluster`, from a one-minute per-user cache.

A TAB press must answer at once and never show an error. The ids come from
$XDG_CACHE_HOME/auroraml/clusters-<profile>-<region>.json while it is younger than MAX_AGE;
otherwise one DescribeDBClusters call (2-second timeouts, no retry) refreshes it. Any failure
means "no ids": completion is a convenience, and a stale list would offer clusters that may be
gone. A failed call is remembered for FAILED_MAX_AGE, so that offline, TAB after TAB does not
wait out the timeout each time. botocore loads only for a refresh, so a cache hit costs the
CLI's start-up and no more.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
from pathlib import Path

MAX_AGE = 60.0  # seconds
FAILED_MAX_AGE = 10.0  # seconds: short, so ids come back soon after the network or credentials do
TIMEOUT = 2  # seconds, to connect and to read
ENGINES = ("aurora-mysql", "aurora")  # Aurora MySQL (v1 was "aurora"): the clusters auroraml works on
# What RDS allows in a cluster id. The bash script feeds these ids to the shell, so nothing else passes.
_CLUSTER_ID = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,62}$")


def clusters(profile: str | None, region: str | None, *, endpoint_url: str | None = None) -> list[str]:
    """The cluster ids of the profile and region: cached if fresh, else from RDS; [] on any failure.
    `endpoint_url`: --endpoint-url, which beats AWS_ENDPOINT_URL(_RDS) as it does for every client."""
    try:
        region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or _configured_region(profile)
        path = cache_file(profile or os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE") or "default", region)
        endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL_RDS") or os.environ.get("AWS_ENDPOINT_URL") or ""
        ids = _read(path, endpoint)
        if ids is None:
            failed = False
            try:
                ids = _describe(profile, region, endpoint_url)
            except Exception:  # noqa: BLE001 - remembered briefly, then [] like any failure
                ids, failed = [], True
            with contextlib.suppress(OSError):  # a read-only cache still completes, just slower
                _write(path, {"time": time.time(), "endpoint": endpoint, "clusters": ids, "failed": failed})
        return [i for i in ids if _CLUSTER_ID.match(i)]
    except Exception:  # noqa: BLE001 - a TAB press shows no errors
        return []


def cache_file(profile: str, region: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    safe = lambda name: re.sub(r"[^A-Za-z0-9._-]", "_", name)  # a profile name may hold anything
    return Path(base) / "auroraml" / f"clusters-{safe(profile)}-{safe(region)}.json"


def _read(path: Path, endpoint: str) -> list[str] | None:
    """The cached ids, or None when the file is missing, unreadable, old, or from another endpoint
    (the sandbox and the real account share a profile and region)."""
    try:
        doc = json.loads(path.read_text())
        max_age = FAILED_MAX_AGE if doc.get("failed") else MAX_AGE
        fresh = 0 <= time.time() - doc["time"] < max_age and doc.get("endpoint", "") == endpoint
        return [str(i) for i in doc["clusters"]] if fresh else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(path: Path, doc: dict) -> None:
    """Atomically, readable by the owner only: cluster names say something about an account."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(doc, fh)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _client(profile: str | None, region: str, endpoint_url: str | None = None):
    from botocore.config import Config

    from .aws import Aws

    # Through Aws's session, so -vv and the tests see the call; a client of its own for the short
    # timeouts: a TAB waits for this, and Aws's clients wait up to 15 s per attempt and retry.
    config = Config(connect_timeout=TIMEOUT, read_timeout=TIMEOUT, retries={"mode": "standard", "max_attempts": 1})
    return Aws(profile, region).session.create_client("rds", region_name=region, config=config, endpoint_url=endpoint_url)


def _describe(profile: str | None, region: str, endpoint_url: str | None = None) -> list[str]:
    # One page (up to 100 clusters): a second call would double what the TAB waits for.
    page = _client(profile, region, endpoint_url).describe_db_clusters(MaxRecords=100)
    return sorted(c["DBClusterIdentifier"] for c in page["DBClusters"] if c.get("Engine") in ENGINES)


def _configured_region(profile: str | None) -> str:
    """The profile's region from ~/.aws/config (botocore reads it): only when no flag or variable says."""
    from .aws import Aws

    return Aws(profile).region
