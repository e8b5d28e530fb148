"""ALTER TABLE t MODIFY [COLUMN] c <definition> / CHANGE [COLUMN] old new <definition>.

SQLite cannot change a column's type or constraints in place, so the table is rebuilt the way
SQLite's manual prescribes (and InnoDB's ALGORITHM=COPY does): the new definition is written out
from the catalogue (schema.py) under a temporary name, the rows are copied (strict sql_mode
checks each value, so a value the new type cannot hold fails the statement as in MySQL: 1265,
1406, 1264 ...), the old table is dropped and the new one renamed. Triggers on the table are not
kept (docs/reference/sql-compat.md).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from sqlglot import exp

from . import schema
from .errors import SqlError
from .functions import quote_name

if TYPE_CHECKING:
    from .session import AuroraSession
    from .tables import Outcome


def is_modify(expression: exp.Expression) -> bool:
    actions = expression.args.get("actions") or [] if isinstance(expression, exp.Alter) else []
    return bool(actions) and all(isinstance(a, exp.ModifyColumn) for a in actions)


def run(session: AuroraSession, alter: exp.Alter) -> Outcome:
    target = alter.this
    db = session.database_for(target.db or None)
    name = target.name
    tables = session.cluster.tables
    old = schema.definition(tables, db, name, session.engine)
    new = copy.deepcopy(old)
    sources = {c.name.lower(): c.name for c in new.columns}  # new column -> the old column it reads
    for action in alter.args["actions"]:
        column, keys = schema._column(action.this)
        renamed = action.args.get("rename_from")
        source = renamed.name if renamed is not None else column.name
        existing = new.column(source)
        if existing is None:
            raise SqlError(1054, f"Unknown column '{source}' in '{name}'")
        if renamed is not None and column.name.lower() != source.lower() and new.column(column.name) is not None:
            raise SqlError(1060, f"Duplicate column name '{column.name}'")
        new.columns[new.columns.index(existing)] = column
        reads = sources.pop(existing.name.lower())
        sources[column.name.lower()] = reads
        for index in new.indexes:
            index.columns = [column.name if c.lower() == source.lower() else c for c in index.columns]
        for fk in new.foreign_keys:
            fk.columns = [column.name if c.lower() == source.lower() else c for c in fk.columns]
        schema._add_keys(new, keys)
    temporary = f"#sql-{name}"
    new.name = temporary
    create = schema.show_create_table(new, session.engine, schema.next_auto_increment(tables, old))
    create = create.replace(f"CREATE TABLE {quote_name(temporary)}",
                            f"CREATE TABLE {quote_name(db)}.{quote_name(temporary)}", 1)
    session.run_on_tables(session.parse_one(create))
    into, read = quote_name(db) + "." + quote_name(temporary), quote_name(db) + "." + quote_name(name)
    try:
        columns = ", ".join(quote_name(c.name) for c in new.columns)
        picked = ", ".join(quote_name(sources[c.name.lower()]) for c in new.columns)
        session.run_on_tables(session.parse_one(f"INSERT INTO {into} ({columns}) SELECT {picked} FROM {read}"))
        session.run_on_tables(session.parse_one(f"DROP TABLE {read}"))
    except SqlError as error:
        session.run_on_tables(session.parse_one(f"DROP TABLE {into}"))
        if error.code == 1406:  # ALTER words a string that no longer fits as a truncation [MariaDB 10.11]
            raise SqlError(1265, error.msg.replace("Data too long", "Data truncated")) from None
        raise
    return session.run_on_tables(session.parse_one(f"ALTER TABLE {into} RENAME TO {read}"))
