"""Each table's definition as the user wrote it, kept beside the SQLite table that stores its rows
(tables.py strips from SQLite what SQLite refuses: key clauses, AUTO_INCREMENT, ENUM, ...).

The catalogue follows CREATE TABLE [... LIKE], ALTER TABLE (ADD/DROP/RENAME COLUMN, RENAME TO),
CREATE/DROP INDEX, DROP TABLE and DROP DATABASE once SQLite has run them, and answers what
clients read back as MySQL 8.0 prints it: SHOW CREATE TABLE, DESCRIBE / SHOW COLUMNS, SHOW INDEX,
and the rows of information_schema COLUMNS, STATISTICS, KEY_COLUMN_USAGE, TABLE_CONSTRAINTS and
REFERENTIAL_CONSTRAINTS. MySQL's rules applied here [docs/reference/sql-compat.md]:

- PRIMARY KEY columns are NOT NULL; a nullable column with no DEFAULT shows `DEFAULT NULL`
  (TEXT, BLOB and JSON show none); a default is quoted and in the column's type ('0', '1.50').
- An unnamed KEY/UNIQUE is named after its first column (`c`, then `c_2`, ...); an unnamed
  FOREIGN KEY is `<table>_ibfk_<n>`, and gets an index of the same columns if no key starts
  with them (named after the constraint).
- Keys print PRIMARY first, then UNIQUE ones, then the others, each group in declared order.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from .functions import DataType, quote_name, quote_string
from .lexer import Parser

if TYPE_CHECKING:
    from .engine import Engine

DEFAULT_CHARSET = "utf8mb4"
DEFAULT_COLLATION = "utf8mb4_0900_ai_ci"
_NO_DEFAULT_NULL = ("TINYTEXT", "TEXT", "MEDIUMTEXT", "LONGTEXT", "TINYBLOB", "BLOB", "MEDIUMBLOB", "LONGBLOB",
                    "JSON", "GEOMETRY")
STRING_TYPES = ("CHAR", "VARCHAR", "TINYTEXT", "TEXT", "MEDIUMTEXT", "LONGTEXT", "ENUM", "SET")


@dataclass
class Column:
    name: str
    type: DataType
    nullable: bool = True
    default: str | None = None  # the default's SQL as SHOW CREATE TABLE writes it: 'x', CURRENT_TIMESTAMP
    auto_increment: bool = False
    on_update: str | None = None
    comment: str = ""

    @property
    def has_default(self) -> bool:
        return self.default is not None or self.nullable or self.auto_increment

    def collation(self, table: TableDef) -> str | None:
        if self.type.name not in STRING_TYPES:
            return None
        if self.type.collate:
            return self.type.collate
        if self.type.charset and self.type.charset != table.charset:
            return _default_collation(self.type.charset)
        return table.collation

    def charset(self, table: TableDef) -> str | None:
        if self.type.name not in STRING_TYPES:
            return None
        return self.type.charset or table.charset


@dataclass
class Index:
    name: str
    columns: list[str]
    kind: str = "KEY"  # PRIMARY, UNIQUE, KEY, FULLTEXT
    implicit: bool = False  # made for a FOREIGN KEY: dropped when a key the constraint can use is added

    @property
    def unique(self) -> bool:
        return self.kind in ("PRIMARY", "UNIQUE")


@dataclass
class ForeignKey:
    name: str
    columns: list[str]
    ref_db: str
    ref_table: str
    ref_columns: list[str]
    on_delete: str = ""  # "" is MySQL's default, shown as RESTRICT / NO ACTION
    on_update: str = ""


@dataclass
class TableDef:
    db: str
    name: str
    columns: list[Column] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    comment: str = ""
    charset: str = ""  # "": the server's default, filled in by definition() for the engine
    collation: str = ""
    auto_increment_start: int = 1

    def column(self, name: str) -> Column | None:
        lowered = name.lower()
        return next((c for c in self.columns if c.name.lower() == lowered), None)

    def ordered_indexes(self) -> list[Index]:
        rank = {"PRIMARY": 0, "UNIQUE": 1}
        return sorted(self.indexes, key=lambda i: rank.get(i.kind, 2))

    def key_of(self, column: Column) -> str:
        """DESCRIBE's Key: PRI (part of the primary key), UNI (a one-column unique key), MUL
        (the first column of any other key)."""
        name = column.name.lower()
        flags = ""
        for index in self.indexes:
            lowered = [c.lower() for c in index.columns]
            if index.kind == "PRIMARY" and name in lowered:
                return "PRI"
            if index.unique and lowered == [name]:
                flags = "UNI"
            elif lowered[:1] == [name] and not flags:
                flags = "MUL"
        return flags

    def extra(self, column: Column) -> str:
        parts = []
        if column.auto_increment:
            parts.append("auto_increment")
        if column.default is not None and not column.default.startswith("'") and column.default != "NULL":
            parts.append("DEFAULT_GENERATED")
        if column.on_update:
            parts.append(f"on update {column.on_update}")
        return " ".join(parts)


def _default_collation(charset: str) -> str:
    return {"utf8mb4": DEFAULT_COLLATION, "latin1": "latin1_swedish_ci", "ascii": "ascii_general_ci",
            "utf8mb3": "utf8mb3_general_ci", "utf8": "utf8mb3_general_ci", "binary": "binary"}.get(
        charset, f"{charset}_general_ci")


class Catalogue:
    """(database, table) → TableDef, for the tables of one cluster."""

    def __init__(self) -> None:
        self._tables: dict[tuple[str, str], TableDef] = {}
        # (database, trigger) → (event, table, timing) as written (SQLite runs some BEFORE triggers AFTER)
        self.triggers: dict[tuple[str, str], tuple[str, str, str]] = {}
        # (database, trigger) → (body as written, definer, sql_mode at creation): SHOW TRIGGERS
        self.trigger_texts: dict[tuple[str, str], tuple[str, str, str]] = {}
        self.store_keys: dict[str, tuple] = {}  # strict.py's MYSQL_STORE keys, read once per statement
        self.rows_written = 0  # strict.py's row count in the statement running (MySQL's `at row N`)

    def get(self, db: str, table: str) -> TableDef | None:
        return self._tables.get((db, table))

    def all(self) -> list[TableDef]:
        return [self._tables[key] for key in sorted(self._tables)]

    def put(self, table: TableDef) -> None:
        self._tables[(table.db, table.name)] = table

    def drop_database(self, db: str) -> None:
        for key in [k for k in self._tables if k[0] == db]:
            del self._tables[key]
        for key in [k for k in self.triggers if k[0] == db]:
            del self.triggers[key]

    def forget(self, db: str, table: str) -> None:
        self._tables.pop((db, table), None)
        for key in [k for k, (_, on, _) in self.triggers.items() if k[0] == db and on == table]:
            del self.triggers[key]  # a table's triggers go with it

    def apply(self, statement: exp.Expression, database: str | None) -> None:
        """Follow a statement SQLite has just run (anything the catalogue does not model it leaves)."""
        try:
            self._apply(statement, database)
        except (KeyError, ValueError, AttributeError, TypeError):  # a form not modelled: keep what we know
            pass

    def _apply(self, statement: exp.Expression, database: str | None) -> None:
        kind = str(statement.args.get("kind") or "").upper()
        if isinstance(statement, exp.Create) and kind == "TABLE":
            target = statement.this.this if isinstance(statement.this, exp.Schema) else statement.this
            db, name = target.db or database, target.name
            if not db or (statement.args.get("exists") and (db, name) in self._tables):
                return
            like = statement.find(exp.LikeProperty)
            if like is not None:
                source = self.get(like.this.db or db, like.this.name)
                if source is not None:
                    clone = copy.deepcopy(source)
                    clone.db, clone.name = db, name
                    clone.foreign_keys = []  # CREATE TABLE ... LIKE copies no foreign keys
                    self.put(clone)
                return
            if isinstance(statement.this, exp.Schema):
                self.put(table_from_create(statement, db))
            return
        if isinstance(statement, exp.Create) and kind == "INDEX":
            index = statement.this
            table = self.get(index.args["table"].db or database or "", index.args["table"].name)
            if table is not None:
                columns = [o.this.name if isinstance(o, exp.Ordered) else o.name
                           for o in index.args["params"].args.get("columns") or []]
                _add_index(table, Index(index.name, columns, "UNIQUE" if statement.args.get("unique") else "KEY"))
            return
        if isinstance(statement, exp.Drop) and kind == "TABLE":
            for target in statement.args.get("tables") or []:
                self.forget(target.db or database or "", target.name)
            return
        if isinstance(statement, exp.Drop) and kind == "INDEX":
            on = statement.args.get("cluster")
            table = self.get(on.this.db or database or "", on.this.name) if on is not None else None
            if table is not None:
                name = statement.args["tables"][0].name.lower()
                table.indexes = [i for i in table.indexes if i.name.lower() != name]
            return
        if isinstance(statement, exp.Alter) and kind == "TABLE":
            self._alter(statement, database)

    def _alter(self, statement: exp.Alter, database: str | None) -> None:
        target = statement.this
        table = self.get(target.db or database or "", target.name)
        if table is None:
            return
        for action in statement.args.get("actions") or []:
            if isinstance(action, exp.ColumnDef):
                column, keys = _column(action)
                table.columns.append(column)
                _add_keys(table, keys)
            elif isinstance(action, exp.AddConstraint):
                keys: list[tuple[str, str | None, list[str]]] = []
                before = len(table.foreign_keys)
                for node in action.expressions:
                    if isinstance(node, exp.UniqueColumnConstraint) and isinstance(node.this, exp.Schema):
                        keys.append(("UNIQUE", node.this.this.name if node.this.this else None,
                                     [_name(e) for e in node.this.expressions]))
                    elif isinstance(node, exp.IndexColumnConstraint):
                        keys.append(("KEY", node.this.name if node.this else None, [_name(e) for e in node.expressions]))
                    elif isinstance(node, (exp.Constraint, exp.ForeignKey)):
                        _constraint(table, node, keys)
                for kind, name, columns in keys:
                    if kind == "PRIMARY":
                        _add_keys(table, [(kind, name, columns)])
                    else:
                        _add_index(table, Index(name or _free_index_name(table, columns[0]), columns, kind))
                if len(table.foreign_keys) > before:
                    _foreign_key_indexes(table)
            elif isinstance(action, exp.Drop) and str(action.args.get("kind")).upper() in ("INDEX", "FOREIGN KEY"):
                dropped = action.args["tables"][0].name.lower()
                if str(action.args.get("kind")).upper() == "INDEX":
                    table.indexes = [i for i in table.indexes if i.name.lower() != dropped]
                else:
                    table.foreign_keys = [f for f in table.foreign_keys if f.name.lower() != dropped]
            elif isinstance(action, exp.Drop) and str(action.args.get("kind")).upper() == "COLUMN":
                for dropped in action.expressions:
                    lowered = dropped.name.lower()
                    table.columns = [c for c in table.columns if c.name.lower() != lowered]
                    for index in table.indexes:
                        index.columns = [c for c in index.columns if c.lower() != lowered]
                    table.indexes = [i for i in table.indexes if i.columns]
            elif isinstance(action, exp.RenameColumn):
                old, new = action.this.name, action.args["to"].name
                found = table.column(old)
                if found is not None:
                    found.name = new
                for index in table.indexes:
                    index.columns = [new if c.lower() == old.lower() else c for c in index.columns]
            elif isinstance(action, exp.AlterRename):
                self.forget(table.db, table.name)
                table.db = action.this.db or table.db
                table.name = action.this.name
                self.put(table)


def mysql_type(kind: exp.DataType, constraints: list[exp.Expression]) -> DataType:
    """A sqlglot column type (and the ZEROFILL / CHARACTER SET / COLLATE sqlglot files as
    constraints) as column_types reads MySQL's grammar."""
    from .column_types import data_type

    text = kind.sql(dialect="mysql")
    upper = text.upper()
    if upper == "BOOLEAN":
        return DataType("TINYINT", "(1)")
    if kind.this == exp.DataType.Type.FLOAT and not kind.expressions:
        text = "FLOAT"
    for constraint in constraints:
        inner = constraint.args.get("kind") if isinstance(constraint, exp.ColumnConstraint) else constraint
        if isinstance(inner, (exp.CharacterSetColumnConstraint, exp.CollateColumnConstraint)):
            text += " " + inner.sql(dialect="mysql")
        elif isinstance(inner, exp.ZeroFillColumnConstraint):
            text += " ZEROFILL"
    try:
        return data_type(Parser(text), default_charset=DEFAULT_CHARSET, strict=True)
    except Exception:  # noqa: BLE001  a type column_types does not read (GEOMETRY, ...): as written
        name, _, size = text.partition("(")
        return DataType(name.upper(), f"({size}" if size else "")


def table_from_create(create: exp.Create, db: str) -> TableDef:
    schema = create.this
    table = TableDef(db, schema.this.name)
    for prop in (create.args.get("properties") or exp.Properties(expressions=[])).expressions:
        if isinstance(prop, exp.SchemaCommentProperty):
            table.comment = prop.this.name
        elif isinstance(prop, exp.CharacterSetProperty):
            table.charset = prop.this.name.lower()
        elif isinstance(prop, exp.CollateProperty):
            table.collation = prop.this.name.lower()
        elif isinstance(prop, exp.AutoIncrementProperty):
            table.auto_increment_start = int(prop.this.name)
    keys: list[tuple[str, str | None, list[str]]] = []
    for node in schema.expressions:
        if isinstance(node, exp.ColumnDef):
            column, column_keys = _column(node)
            table.columns.append(column)
            keys.extend(column_keys)
        elif isinstance(node, exp.PrimaryKey):
            keys.append(("PRIMARY", "PRIMARY", [_name(e) for e in node.expressions]))
        elif isinstance(node, exp.UniqueColumnConstraint):
            inner = node.this
            if isinstance(inner, exp.Schema):
                keys.append(("UNIQUE", inner.this.name if inner.this else None, [_name(e) for e in inner.expressions]))
        elif isinstance(node, exp.IndexColumnConstraint):
            kind = "FULLTEXT" if str(node.args.get("kind") or "").upper() == "FULLTEXT" else "KEY"
            keys.append((kind, node.this.name if node.this else None, [_name(e) for e in node.expressions]))
        elif isinstance(node, (exp.Constraint, exp.ForeignKey)):
            _constraint(table, node, keys)
    _add_keys(table, keys)
    _foreign_key_indexes(table)
    return table


def _name(node: exp.Expression) -> str:
    if isinstance(node, exp.Ordered):
        node = node.this
    return node.name


def _column(node: exp.ColumnDef) -> tuple[Column, list[tuple[str, str | None, list[str]]]]:
    constraints = node.args.get("constraints") or []
    column = Column(node.name, mysql_type(node.args["kind"], constraints))
    keys: list[tuple[str, str | None, list[str]]] = []
    explicit_null = False
    for wrapper in constraints:
        inner = wrapper.args.get("kind") if isinstance(wrapper, exp.ColumnConstraint) else wrapper
        if isinstance(inner, exp.NotNullColumnConstraint):
            column.nullable = bool(inner.args.get("allow_null"))
            explicit_null = column.nullable
        elif isinstance(inner, exp.DefaultColumnConstraint):
            column.default = _default_sql(inner.this)
        elif isinstance(inner, exp.AutoIncrementColumnConstraint):
            column.auto_increment = True
        elif isinstance(inner, exp.OnUpdateColumnConstraint):
            column.on_update = _default_sql(inner.this)
        elif isinstance(inner, exp.CommentColumnConstraint):
            column.comment = inner.this.name
        elif isinstance(inner, exp.PrimaryKeyColumnConstraint):
            keys.append(("PRIMARY", "PRIMARY", [column.name]))
        elif isinstance(inner, exp.UniqueColumnConstraint):
            keys.append(("UNIQUE", None, [column.name]))
    del explicit_null
    if column.default == "NULL":
        column.default = None
    elif column.default is not None and column.default.startswith("'"):
        column.default = quote_string(_normalized_default(column, column.default))
    return column, keys


def _normalized_default(column: Column, literal: str) -> str:
    """A default as the column stores it ('1' in a DECIMAL(5,2) is '1.00')."""
    from .strict import normalize

    value = literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")
    try:
        stored = normalize(column, value, strict=True)
    except Exception:  # noqa: BLE001  MySQL refuses such a default (1067); the sandbox keeps it as written
        return value
    return "" if stored is None else str(stored)


def _default_sql(node: exp.Expression) -> str:
    if isinstance(node, exp.Null):
        return "NULL"
    if isinstance(node, exp.Literal):
        return quote_string(node.name)
    if isinstance(node, (exp.CurrentTimestamp, exp.CurrentDate, exp.CurrentTime)) or (
            isinstance(node, exp.Anonymous) and node.name.upper() in ("NOW", "CURRENT_TIMESTAMP")):
        precision = node.this.name if node.args.get("this") is not None else ""
        return f"CURRENT_TIMESTAMP({precision})" if precision else "CURRENT_TIMESTAMP"
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
        return quote_string("-" + node.this.name)
    if isinstance(node, exp.Boolean):
        return quote_string("1" if node.this else "0")
    return f"({node.sql(dialect='mysql')})"


def _constraint(table: TableDef, node: exp.Expression, keys: list) -> None:
    name = node.this.name if isinstance(node, exp.Constraint) and node.this else None
    parts = node.expressions if isinstance(node, exp.Constraint) else [node]
    for part in parts:
        if isinstance(part, exp.ForeignKey):
            reference = part.args["reference"]
            target = reference.this.this if isinstance(reference.this, exp.Schema) else reference.this
            ref_columns = [_name(e) for e in reference.this.expressions] if isinstance(reference.this, exp.Schema) else []
            fk = ForeignKey(name or "", [_name(e) for e in part.expressions], target.db or table.db, target.name,
                            ref_columns)
            for option in reference.args.get("options") or []:
                text = str(option).upper()
                if text.startswith("ON DELETE "):
                    fk.on_delete = text[len("ON DELETE "):]
                elif text.startswith("ON UPDATE "):
                    fk.on_update = text[len("ON UPDATE "):]
            for option in ("delete", "update"):
                value = part.args.get(option)
                if value:
                    setattr(fk, f"on_{option}", str(value).upper())
            table.foreign_keys.append(fk)
        elif isinstance(part, exp.PrimaryKey):
            keys.append(("PRIMARY", "PRIMARY", [_name(e) for e in part.expressions]))
        elif isinstance(part, exp.UniqueColumnConstraint) and isinstance(part.this, exp.Schema):
            keys.append(("UNIQUE", name or (part.this.this.name if part.this.this else None),
                         [_name(e) for e in part.this.expressions]))


def _add_keys(table: TableDef, keys: list[tuple[str, str | None, list[str]]]) -> None:
    for kind, name, columns in keys:
        if kind == "PRIMARY":
            if any(i.kind == "PRIMARY" for i in table.indexes):
                continue
            for column_name in columns:
                column = table.column(column_name)
                if column is not None:
                    column.nullable = False
            table.indexes.append(Index("PRIMARY", columns, "PRIMARY"))
            continue
        table.indexes.append(Index(name or _free_index_name(table, columns[0]), columns, kind))


def _free_index_name(table: TableDef, base: str) -> str:
    taken = {i.name.lower() for i in table.indexes}
    if base.lower() not in taken:
        return base
    n = 2
    while f"{base}_{n}".lower() in taken:
        n += 1
    return f"{base}_{n}"


def _foreign_key_indexes(table: TableDef) -> None:
    for number, fk in enumerate(table.foreign_keys, start=1):
        if not fk.name:
            fk.name = f"{table.name}_ibfk_{number}"
        wanted = [c.lower() for c in fk.columns]
        if not any([c.lower() for c in i.columns[: len(wanted)]] == wanted for i in table.indexes):
            name = fk.name if fk.name != f"{table.name}_ibfk_{number}" else fk.columns[0]
            table.indexes.append(Index(_free_index_name(table, name), list(fk.columns), implicit=True))


def _add_index(table: TableDef, index: Index) -> None:
    """A key added later (CREATE INDEX, ALTER TABLE ADD KEY): a foreign key's implicit index that
    the new key serves as well goes (MySQL drops it silently)."""
    table.indexes = [i for i in table.indexes if not (
        i.implicit and [c.lower() for c in index.columns[: len(i.columns)]] == [c.lower() for c in i.columns])]
    table.indexes.append(index)


# -- what clients read back ------------------------------------------------------------------------


def column_type(column: Column, engine: Engine) -> str:
    return column.type.dtd(engine)


def show_create_table(table: TableDef, engine: Engine, auto_increment: int | None) -> str:
    lines = [f"  {_column_sql(table, c, engine)}" for c in table.columns]
    for index in table.ordered_indexes():
        columns = ",".join(quote_name(c) for c in index.columns)
        if index.kind == "PRIMARY":
            lines.append(f"  PRIMARY KEY ({columns})")
        elif index.kind == "UNIQUE":
            lines.append(f"  UNIQUE KEY {quote_name(index.name)} ({columns})")
        elif index.kind == "FULLTEXT":
            lines.append(f"  FULLTEXT KEY {quote_name(index.name)} ({columns})")
        else:
            lines.append(f"  KEY {quote_name(index.name)} ({columns})")
    for fk in sorted(table.foreign_keys, key=lambda f: f.name):  # by name, as MariaDB 10.11 prints them
        ref = quote_name(fk.ref_table) if fk.ref_db == table.db else f"{quote_name(fk.ref_db)}.{quote_name(fk.ref_table)}"
        text = (f"  CONSTRAINT {quote_name(fk.name)} FOREIGN KEY ({','.join(quote_name(c) for c in fk.columns)}) "
                f"REFERENCES {ref} ({','.join(quote_name(c) for c in fk.ref_columns)})")
        for action, value in (("DELETE", fk.on_delete), ("UPDATE", fk.on_update)):
            if value and value not in ("RESTRICT", "NO ACTION"):
                text += f" ON {action} {value}"
        lines.append(text)
    options = "ENGINE=InnoDB"
    if auto_increment and auto_increment > 1:
        options += f" AUTO_INCREMENT={auto_increment}"
    options += f" DEFAULT CHARSET={table.charset}"
    if engine.uses_roles:
        options += f" COLLATE={table.collation}"
    elif table.collation != ("utf8mb4_general_ci" if table.charset == "utf8mb4" else _default_collation(table.charset)):
        options += f" COLLATE={table.collation}"
    if table.comment:
        options += f" COMMENT={show_quote(table.comment)}"
    return f"CREATE TABLE {quote_name(table.name)} (\n" + ",\n".join(lines) + f"\n) {options}"


_SHOW_ESCAPES = {"\0": "\\0", "\n": "\\n", "\r": "\\r", "\\": "\\\\", "\x1a": "\\Z", "'": "''"}


def show_quote(text: str) -> str:
    """A string as SHOW CREATE TABLE writes it (MySQL's append_unescaped): NUL, newline, carriage
    return, backslash and Ctrl-Z as backslash escapes, a quote doubled, so a comment stays on its line."""
    return "'" + "".join(_SHOW_ESCAPES.get(ch, ch) for ch in text) + "'"


def _column_sql(table: TableDef, column: Column, engine: Engine) -> str:
    parts = [quote_name(column.name), column_type(column, engine)]
    if column.type.name in STRING_TYPES:
        if column.type.charset and column.type.charset != table.charset:
            parts.append(f"CHARACTER SET {column.type.charset}")
        if column.type.collate and column.type.collate != table.collation:
            parts.append(f"COLLATE {column.type.collate}")
    if not column.nullable:
        parts.append("NOT NULL")
    elif column.type.name == "TIMESTAMP":
        parts.append("NULL")
    if column.auto_increment:
        parts.append("AUTO_INCREMENT")
    elif column.default is not None:
        parts.append(f"DEFAULT {column.default}")
    elif column.nullable and column.type.name not in _NO_DEFAULT_NULL:
        parts.append("DEFAULT NULL")
    if column.on_update:
        parts.append(f"ON UPDATE {column.on_update}")
    if column.comment:
        parts.append(f"COMMENT {show_quote(column.comment)}")
    return " ".join(parts)


def default_value(column: Column) -> str | None:
    """DESCRIBE's / information_schema's Default: the value unquoted, or the expression."""
    if column.default is None:
        return None
    if column.default.startswith("'"):
        return column.default[1:-1].replace("\\'", "'").replace("\\\\", "\\")
    return column.default


def describe_rows(table: TableDef, engine: Engine, full: bool) -> list[tuple]:
    rows = []
    for column in table.columns:
        base = [column.name, column_type(column, engine)]
        if full:
            base.append(column.collation(table))
        base += ["YES" if column.nullable else "NO", table.key_of(column), default_value(column), table.extra(column)]
        if full:
            base += ["select,insert,update,references", column.comment]
        rows.append(tuple(base))
    return rows


DESCRIBE_COLUMNS = ["Field", "Type", "Null", "Key", "Default", "Extra"]
FULL_COLUMNS = ["Field", "Type", "Collation", "Null", "Key", "Default", "Extra", "Privileges", "Comment"]
INDEX_COLUMNS = ["Table", "Non_unique", "Key_name", "Seq_in_index", "Column_name", "Collation", "Cardinality",
                 "Sub_part", "Packed", "Null", "Index_type", "Comment", "Index_comment", "Visible", "Expression"]


def index_rows(table: TableDef, cardinality: dict[str, int]) -> list[tuple]:
    rows = []
    for index in table.ordered_indexes():
        for seq, name in enumerate(index.columns, start=1):
            column = table.column(name)
            rows.append((table.name, 0 if index.unique else 1, index.name, seq, column.name if column else name,
                         None if index.kind == "FULLTEXT" else "A", cardinality.get(name.lower(), 0), None, None,
                         "YES" if column is not None and column.nullable else "",
                         "FULLTEXT" if index.kind == "FULLTEXT" else "BTREE", "", "", "YES", None))
    return rows


def definition(tables: Any, db: str, name: str, engine: Engine | None = None) -> TableDef:
    """The table's definition: the catalogue's, else (a table made by CREATE TABLE ... SELECT or
    by a path the catalogue does not follow) one read from SQLite's own columns. 1146 if absent."""
    from .errors import SqlError

    if name not in tables.table_names(db) and name not in tables.temporary_table_names(db):
        raise SqlError(1146, f"Table '{db}.{name}' doesn't exist")
    found = tables.schema.get(db, name)
    if found is not None:
        return _resolved(found, engine)
    physical = '"' + f"{db}\x1f{name}".replace('"', '""') + '"'
    table = TableDef(db, name)
    for _, column, declared, notnull, default, pk in tables.sqlite_rows(f"PRAGMA table_info({physical})"):
        kind = _SQLITE_TYPES.get((declared or "").upper().split("(")[0], None)
        try:
            parsed = mysql_type(exp.DataType.build(declared or "TEXT", dialect="mysql"), []) if kind is None else kind
        except Exception:  # noqa: BLE001  SQLite takes any type name
            parsed = DataType("TEXT")
        entry = Column(column, parsed, nullable=not notnull and not pk,
                       default=None if default is None else quote_string(str(default).strip("'")))
        table.columns.append(entry)
        if pk:
            primary = next((i for i in table.indexes if i.kind == "PRIMARY"), None)
            if primary is None:
                table.indexes.append(Index("PRIMARY", [column], "PRIMARY"))
            else:
                primary.columns.append(column)
    return _resolved(table, engine)


def _resolved(table: TableDef, engine: Engine | None) -> TableDef:
    """The table with its character set and collation named: those written, else the server's
    defaults (utf8mb4 / utf8mb4_0900_ai_ci on MySQL 8.0, latin1 / latin1_swedish_ci on 5.7)."""
    import dataclasses

    from .column_types import _charset_of

    if table.charset and table.collation:
        return table
    v8 = engine is None or engine.uses_roles
    charset = table.charset or (_charset_of(table.collation) if table.collation else None) or (
        DEFAULT_CHARSET if v8 else "latin1")
    collation = table.collation or (
        "utf8mb4_general_ci" if charset == "utf8mb4" and not v8 else _default_collation(charset))
    return dataclasses.replace(table, charset=charset, collation=collation)


_SQLITE_TYPES = {"": DataType("TEXT"), "TEXT": DataType("TEXT"), "INTEGER": DataType("BIGINT"),
                 "REAL": DataType("DOUBLE"), "NUMERIC": DataType("DECIMAL", "(65,30)"), "BLOB": DataType("LONGBLOB")}


def next_auto_increment(tables: Any, table: TableDef) -> int | None:
    """AUTO_INCREMENT's next value (None: no such column): past the largest value stored."""
    column = next((c for c in table.columns if c.auto_increment), None)
    if column is None:
        return None
    physical = '"' + f"{table.db}\x1f{table.name}".replace('"', '""') + '"'
    (largest,) = tables.sqlite_rows(f'SELECT MAX("{column.name}") FROM {physical}')[0]
    return max(int(largest or 0) + 1, table.auto_increment_start)
