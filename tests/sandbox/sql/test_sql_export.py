"""SELECT ... INTO OUTFILE S3: Aurora's preconditions, then files in the sandbox's S3."""

from __future__ import annotations

import json

import pytest
from sandbox_support import RDS_TRUST, V2, after_delay, allow_all
from sql_support import ENGINES, engine_fixture

# The Aurora layer (ML calls, batching, counters, export, roles) on both SQL engines.
sql_engine = pytest.fixture(params=ENGINES)(engine_fixture)

BUCKET = "exports"
QUERY = "SELECT id, comment FROM mldb.support ORDER BY id"


@pytest.fixture
def s3(client):
    s3 = client("s3")
    s3.create_bucket(Bucket=BUCKET)
    return s3


def wire_s3_role(rds, iam, cluster, parameter="aws_default_s3_role", associate=True):
    """What `auroraml setup s3` does: a role RDS may assume, associated, named in the group, writer rebooted."""
    arn = iam.create_role(RoleName=f"{cluster}-s3", AssumeRolePolicyDocument=json.dumps(RDS_TRUST))["Role"]["Arn"]
    allow_all(iam, f"{cluster}-s3", "s3")
    if associate:
        rds.add_role_to_db_cluster(DBClusterIdentifier=cluster, RoleArn=arn)
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName=f"{cluster}-params",
        Parameters=[{"ParameterName": parameter, "ParameterValue": arn, "ApplyMethod": "pending-reboot"}],
    )
    rds.reboot_db_instance(DBInstanceIdentifier=f"{cluster}-1")
    after_delay()


@pytest.fixture
def exporting(endpoint_for, client_for, make_group, knobs):
    """An Aurora 3 cluster on its own parameter group, with a table of three rows."""

    def make(version="8.0.mysql_aurora.3.10.1", name="exp"):
        group = make_group(f"{name}-params", "aurora-mysql5.7" if version == V2 else "aurora-mysql8.0")
        endpoint = endpoint_for(name, version, DBClusterParameterGroupName=group)
        sql = client_for(endpoint)
        sql.run("CREATE DATABASE mldb")
        sql.run("CREATE TABLE mldb.support (id INT PRIMARY KEY, comment TEXT)")
        sql.run("INSERT INTO mldb.support VALUES (1, 'great, thanks'), (2, 'slow'), (3, NULL)")
        return endpoint, sql

    return make


def body(s3, key):
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()


def test_without_an_s3_role_aurora_has_no_credentials(exporting, s3):
    _, sql = exporting()
    assert sql.error(f"{QUERY} INTO OUTFILE S3 's3://{BUCKET}/out'") == (
        1871, "S3 API returned error: Missing Credentials: Cannot instantiate S3 Client")


def test_a_role_in_the_group_but_not_associated_is_not_enough(exporting, s3, rds, iam):
    _, sql = exporting()
    wire_s3_role(rds, iam, "exp", associate=False)
    assert sql.error(f"{QUERY} INTO OUTFILE S3 's3://{BUCKET}/out'")[0] == 1871


def test_export_csv_with_header_and_manifest(exporting, s3, rds, iam):
    _, sql = exporting()
    wire_s3_role(rds, iam, "exp")
    statement = f"{QUERY} INTO OUTFILE S3 's3-us-east-1://{BUCKET}/support' FORMAT CSV HEADER MANIFEST ON"
    assert sql.run(statement) == 3
    assert body(s3, "support.part_00000") == 'id,comment\n1,"great, thanks"\n2,slow\n3,\n'
    assert json.loads(body(s3, "support.manifest")) == {
        "entries": [{"url": f"s3-us-east-1://{BUCKET}/support.part_00000"}]
    }
    assert sql.error(statement) == (1086, f"File 's3://{BUCKET}/support.part_00000' already exists")
    assert sql.run(f"SELECT id FROM mldb.support WHERE id = 2 INTO OUTFILE S3 's3://{BUCKET}/support' "
                   "FORMAT TEXT OVERWRITE ON ENCRYPTION SSE_S3") == 1
    assert body(s3, "support.part_00000") == "2\n"
    assert s3.head_object(Bucket=BUCKET, Key="support.part_00000")["ServerSideEncryption"] == "AES256"


def test_text_format_escapes_like_mysql(exporting, s3, rds, iam):
    _, sql = exporting()
    wire_s3_role(rds, iam, "exp")
    sql.run("INSERT INTO mldb.support VALUES (4, 'tab\\there')")
    sql.run(f"{QUERY} INTO OUTFILE S3 's3://{BUCKET}/plain'")
    # MySQL's escape character precedes the tab itself (it does not write `\t`).
    assert body(s3, "plain.part_00000") == "1\tgreat, thanks\n2\tslow\n3\t\\N\n4\ttab\\\there\n"


def test_a_user_needs_the_role_active(exporting, s3, rds, iam, client_for):
    endpoint, sql = exporting()
    wire_s3_role(rds, iam, "exp")
    sql.run("CREATE USER 'etl'@'%' IDENTIFIED BY 'pw'")
    sql.run("GRANT AWS_SELECT_S3_ACCESS TO etl")
    etl = client_for(endpoint, "etl", "pw")
    assert etl.error(f"{QUERY} INTO OUTFILE S3 's3://{BUCKET}/etl'") == (
        1227, "Access denied; you need (at least one of) the SELECT INTO S3 privilege(s) for this operation")
    etl.run("SET ROLE AWS_SELECT_S3_ACCESS")
    assert etl.run(f"{QUERY} INTO OUTFILE S3 's3://{BUCKET}/etl'") == 3


def test_export_refusals(exporting, s3, rds, iam):
    _, sql = exporting()
    wire_s3_role(rds, iam, "exp")
    assert sql.error(f"{QUERY} INTO OUTFILE S3 's3://no-such-bucket/x'") == (
        1871, "S3 API returned error: The specified bucket does not exist")
    assert sql.error(f"{QUERY} INTO OUTFILE S3 's3://{BUCKET}/x' FORMAT XML")[0] == 1064
    assert sql.error(f"SELECT * FROM mldb.nope INTO OUTFILE S3 's3://{BUCKET}/x'")[0] == 1146


def test_v2_needs_the_privilege_and_its_own_parameter(exporting, s3, rds, iam, client_for):
    endpoint, sql = exporting(V2, "old")
    wire_s3_role(rds, iam, "old", parameter="aurora_select_into_s3_role")
    assert sql.run(f"{QUERY} INTO OUTFILE S3 's3://{BUCKET}/v2'") == 3
    sql.run("CREATE USER 'etl'@'%' IDENTIFIED BY 'pw'")
    assert client_for(endpoint, "etl", "pw").error(f"{QUERY} INTO OUTFILE S3 's3://{BUCKET}/v2b'")[0] == 1227
    sql.run("GRANT SELECT INTO S3 ON *.* TO etl")
    assert client_for(endpoint, "etl", "pw").run(f"{QUERY} INTO OUTFILE S3 's3://{BUCKET}/v2b'") == 3


def test_the_guides_form_with_from_after_the_target(exporting, s3, rds, iam):
    _, sql = exporting()
    wire_s3_role(rds, iam, "exp")
    assert sql.run(f"SELECT * INTO OUTFILE S3 's3://{BUCKET}/guide' FORMAT CSV HEADER FROM mldb.support "
                   "WHERE id < 3 ORDER BY id") == 2
    assert body(s3, "guide.part_00000") == 'id,comment\n1,"great, thanks"\n2,slow\n'
    assert sql.error(f"SELECT * INTO OUTFILE S3 's3://{BUCKET}/g2' MANIFEST ON WHERE id = 1")[0] == 1064


def test_fields_and_lines_write_what_mysql_writes(exporting, s3, rds, iam):
    """The AWS guide's examples: FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\n', with MANIFEST and OVERWRITE."""
    _, sql = exporting()
    wire_s3_role(rds, iam, "exp")
    sql.run("INSERT INTO mldb.support VALUES (4, 'say \"hi\"\\\\')")
    assert sql.run(f"SELECT * FROM mldb.support ORDER BY id INTO OUTFILE S3 's3://{BUCKET}/employees' "
                   "FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\n' MANIFEST ON") == 4
    assert body(s3, "employees.part_00000") == '1,great\\, thanks\n2,slow\n3,\\N\n4,say "hi"\\\\\n'
    assert json.loads(body(s3, "employees.manifest")) == {"entries": [{"url": f"s3://{BUCKET}/employees.part_00000"}]}
    assert sql.error(f"SELECT * FROM mldb.support INTO OUTFILE S3 's3://{BUCKET}/employees' "
                     "FIELDS TERMINATED BY ','")[0] == 1086
    assert sql.run(f"SELECT id, comment FROM mldb.support WHERE id IN (1, 4) ORDER BY id "
                   f"INTO OUTFILE S3 's3-us-east-1://{BUCKET}/employees' FIELDS TERMINATED BY ';' "
                   "OPTIONALLY ENCLOSED BY '\"' ESCAPED BY '' LINES STARTING BY '> ' TERMINATED BY '\\r\\n' "
                   "MANIFEST ON OVERWRITE ON ENCRYPTION ON") == 2
    assert body(s3, "employees.part_00000") == '> 1;"great, thanks"\r\n> 4;"say "hi"\\"\r\n'
    assert s3.head_object(Bucket=BUCKET, Key="employees.manifest")["ServerSideEncryption"] == "AES256"
    sql.run(f"SELECT NULL, 'a\\tb' INTO OUTFILE S3 's3://{BUCKET}/nulls' COLUMNS ENCLOSED BY '\\''")
    assert body(s3, "nulls.part_00000") == "\\N\t'a\tb'\n"


def test_export_options_the_sandbox_does_not_model_are_refused_by_name(exporting, s3, rds, iam):
    _, sql = exporting()
    wire_s3_role(rds, iam, "exp")
    assert sql.error(f"{QUERY} INTO OUTFILE S3 's3://{BUCKET}/x' FORMAT CSV FIELDS TERMINATED BY ';'") == (
        1235, "This version of MySQL doesn't yet support 'FIELDS or LINES with FORMAT CSV in the sandbox'")
    assert sql.error(f"{QUERY} INTO OUTFILE S3 's3://{BUCKET}/x' FIELDS ENCLOSED BY 'ab'") == (
        1083, "Field separator argument is not what is expected; check the manual")
    assert sql.error(f"{QUERY} INTO OUTFILE S3 's3://{BUCKET}/x' LINES TERMINATED BY '\\n' "
                     "FIELDS TERMINATED BY ','")[0] == 1064


def test_load_data_from_s3_reads_what_export_wrote(exporting, s3, rds, iam):
    _, sql = exporting()
    wire_s3_role(rds, iam, "exp")
    sql.run("INSERT INTO mldb.support VALUES (4, 'tab\\there, \\\\ and \"q\"')")
    sql.run(f"{QUERY} INTO OUTFILE S3 's3://{BUCKET}/round' MANIFEST ON")
    sql.run("CREATE TABLE mldb.copy (id INT PRIMARY KEY, comment TEXT, note TEXT)")
    assert sql.run(f"LOAD DATA FROM S3 's3://{BUCKET}/round.part_00000' INTO TABLE mldb.copy (id, comment)") == 4
    assert sql.rows("SELECT * FROM mldb.copy ORDER BY id") == sql.rows(
        "SELECT id, comment, NULL FROM mldb.support ORDER BY id")
    assert sql.run(f"LOAD DATA FROM S3 MANIFEST 's3-us-east-1://{BUCKET}/round.manifest' REPLACE INTO TABLE mldb.copy "
                   "(@i, comment) SET id = @i + 10, note = CONCAT('from ', @i)") == 4
    assert sql.one("SELECT id, comment, note FROM mldb.copy WHERE id = 11") == (11, "great, thanks", "from 1")
    s3.put_object(Bucket=BUCKET, Key="in/a.csv", Body=b'id,comment\n20,"say ""hi"", ok"\n21,plain\n')
    s3.put_object(Bucket=BUCKET, Key="in/b.csv", Body=b'22,"x"\n23,y')
    assert sql.run(f"LOAD DATA FROM S3 PREFIX 's3://{BUCKET}/in/' IGNORE INTO TABLE mldb.copy FIELDS TERMINATED BY ',' "
                   "OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\\n' IGNORE 1 LINES (id, comment)") == 4
    assert sql.rows("SELECT id, comment FROM mldb.copy WHERE id >= 20 ORDER BY id") == [
        (20, 'say "hi", ok'), (21, "plain"), (22, "x"), (23, "y")]  # IGNORE 1 LINES: of the first file only


def test_load_xml_from_s3(exporting, s3, rds, iam):
    _, sql = exporting()
    wire_s3_role(rds, iam, "exp")
    s3.put_object(Bucket=BUCKET, Key="rows.xml", Body=(
        b'<list><row id="7" comment="attr"/><row><id>8</id><comment>child</comment></row>'
        b'<row><field name="id">9</field><field name="comment">field</field></row></list>'))
    assert sql.run(f"LOAD XML FROM S3 's3://{BUCKET}/rows.xml' INTO TABLE mldb.support") == 3
    assert sql.rows("SELECT * FROM mldb.support WHERE id > 5 ORDER BY id") == [(7, "attr"), (8, "child"), (9, "field")]


def test_load_needs_the_role_aurora_grants_and_an_s3_role(exporting, s3, rds, iam, client_for):
    endpoint, sql = exporting()
    statement = f"LOAD DATA FROM S3 's3://{BUCKET}/none' INTO TABLE mldb.support"
    assert sql.error(statement) == (1871, "S3 API returned error: Missing Credentials: Cannot instantiate S3 Client")
    wire_s3_role(rds, iam, "exp")
    assert sql.error(statement)[0] == 1871  # no such object
    s3.put_object(Bucket=BUCKET, Key="one.txt", Body=b"5\tfive\n")
    sql.run("CREATE USER 'etl'@'%' IDENTIFIED BY 'pw'")
    sql.run("GRANT AWS_LOAD_S3_ACCESS TO etl")
    etl = client_for(endpoint, "etl", "pw")
    load = f"LOAD DATA FROM S3 's3://{BUCKET}/one.txt' INTO TABLE mldb.support"
    assert etl.error(load) == (
        1227, "Access denied; you need (at least one of) the LOAD FROM S3 privilege(s) for this operation")
    etl.run("SET ROLE AWS_LOAD_S3_ACCESS")
    assert etl.run(load) == 1
    assert sql.error(f"LOAD DATA FROM S3 's3://{BUCKET}/one.txt' INTO TABLE mldb.support PARTITION (p0)")[0] == 1235
    assert sql.error("LOAD DATA INFILE '/tmp/x' INTO TABLE mldb.support")[0] == 1235


def test_v2_loads_with_the_privilege_and_its_own_parameter(exporting, s3, rds, iam, client_for):
    endpoint, sql = exporting(V2, "old")
    wire_s3_role(rds, iam, "old", parameter="aurora_load_from_s3_role")
    s3.put_object(Bucket=BUCKET, Key="one.txt", Body=b"5\tfive\n")
    assert sql.run(f"LOAD DATA FROM S3 FILE 's3://{BUCKET}/one.txt' INTO TABLE mldb.support") == 1
    sql.run("CREATE USER 'etl'@'%' IDENTIFIED BY 'pw'")
    sql.run("GRANT LOAD FROM S3 ON *.* TO etl")
    assert client_for(endpoint, "etl", "pw").run(
        f"LOAD DATA FROM S3 's3://{BUCKET}/one.txt' IGNORE INTO TABLE mldb.support") == 0
