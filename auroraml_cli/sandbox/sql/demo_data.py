"""The tables the Aurora ML guide's examples query, loaded into a seeded cluster's database `demo`:

- `support (id, feedback)`: the guide's ten customer comments, in several sentiments;
- `nyc_taxi (timestamp, value)`: one day of NYC taxi rides per half hour (48 rows), with two
  anomalies (a spike at 10:00, a collapse at 20:30) for the `anomaly_score` example over the
  seeded SageMaker endpoint `rcf-taxi`;
- and, on ml-demo, the accounts the README grants to: `'analyst'@'10.0.%'` and `'app'@'%'` (ACCOUNTS).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlglot

if TYPE_CHECKING:
    from .cluster import ClusterState

DATABASE = "demo"
FEEDBACK = (
    "Thank you for the excellent customer support!",
    "The latest version of this product stinks!",
    "Your support team is just awesome! I am blown away.",
    "Your product is too complex, but your support is great.",
    "Your support tech helped me in fifteen minutes.",
    "My problem was never resolved!",
    "When will the new version of this product be released?",
    "I cannot stand that chatbot.",
    "Your support tech talked down to me.",
    "It took me way too long to get a real person.",
)
ANOMALIES = {20: 39197, 41: 1200}  # half-hour slot → rides


def taxi_rides() -> list[tuple[str, int]]:
    """(timestamp, rides): a smooth daily cycle around 15,000, and the two anomalies."""
    start = datetime(2014, 11, 2)
    rows = []
    for slot in range(48):
        wave = 15000 + round(2500 * math.sin(2 * math.pi * (slot - 12) / 48)) + slot * 53 % 97  # all distinct
        value = ANOMALIES.get(slot, wave)
        rows.append(((start + timedelta(minutes=30 * slot)).strftime("%Y-%m-%d %H:%M:%S"), value))
    return rows


def statements() -> list[str]:
    support = ", ".join(f"({i}, '{text}')" for i, text in enumerate(FEEDBACK, start=1))
    taxi = ", ".join(f"('{stamp}', {value})" for stamp, value in taxi_rides())
    return [
        f"CREATE TABLE {DATABASE}.support (id INT PRIMARY KEY, feedback VARCHAR(200) NOT NULL)",
        f"INSERT INTO {DATABASE}.support (id, feedback) VALUES {support}",
        f"CREATE TABLE {DATABASE}.nyc_taxi (`timestamp` DATETIME NOT NULL, `value` INT NOT NULL)",
        f"INSERT INTO {DATABASE}.nyc_taxi (`timestamp`, `value`) VALUES {taxi}",
    ]


# The accounts the README's `grant` and `revoke` examples name, on the cluster they use, as a DBA
# would have created them (with a random password: nobody logs in as them in the examples).
ACCOUNTS = (("analyst", "10.0.%"), ("app", "%"))
ACCOUNTS_CLUSTER = "ml-demo"


def create_accounts(cluster: ClusterState) -> None:
    """CREATE USER each of ACCOUNTS that is not there yet, on ACCOUNTS_CLUSTER."""
    import secrets

    from .accounts import Account, AccountName, auth_string

    if cluster.cluster_id != ACCOUNTS_CLUSTER:
        return
    for user, host in ACCOUNTS:
        if AccountName(user, host) not in cluster.accounts:
            cluster.accounts.add(Account(AccountName(user, host), auth_string=auth_string(secrets.token_urlsafe(18))))


def load(cluster: ClusterState) -> None:
    """Create the example accounts, and `demo` and its tables unless the database is already there."""
    create_accounts(cluster)
    tables = cluster.tables
    if DATABASE in tables.databases:
        return
    tables.create_database(DATABASE, if_not_exists=False)
    for sql in statements():
        tables.run(sqlglot.parse_one(sql, read="mysql"), DATABASE, lambda _db, _table: None)
