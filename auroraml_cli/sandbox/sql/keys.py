"""A table's keys as MySQL names them, for its errors: PRIMARY, UNIQUE keys (named after their
first column unless named), foreign keys (`<table>_ibfk_<n>` unless named); and the rewriting of
AUTO_INCREMENT to SQLite's `INTEGER PRIMARY KEY AUTOINCREMENT`, whose ids are never reused after
a DELETE and move past an explicit value, as InnoDB's counter. See docs/reference/sql-compat.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp


@dataclass
class ForeignKey:
    name: str
    columns: list[str]
    parent_db: str | None
    parent: str
    parent_columns: list[str]
    actions: str  # " ON DELETE CASCADE" as written, or ""

    def definition(self, db: str, table: str) -> str:
        parent = f"`{self.parent_db}`.`{self.parent}`" if self.parent_db and self.parent_db != db else f"`{self.parent}`"
        return (f"(`{db}`.`{table}`, CONSTRAINT `{self.name}` FOREIGN KEY ({_names(self.columns)}) "
                f"REFERENCES {parent} ({_names(self.parent_columns)}){self.actions})")


@dataclass
class TableKeys:
    primary: list[str] = field(default_factory=list)
    unique: list[tuple[str, list[str]]] = field(default_factory=list)
    foreign: list[ForeignKey] = field(default_factory=list)
    auto_increment: int | None = None  # the AUTO_INCREMENT=n table option

    def key_name(self, columns: list[str]) -> str:
        wanted = [c.lower() for c in columns]
        if [c.lower() for c in self.primary] == wanted:
            return "PRIMARY"
        for name, key in self.unique:
            if [c.lower() for c in key] == wanted:
                return name
        return columns[0]


def _names(columns: list[str]) -> str:
    return ", ".join(f"`{c}`" for c in columns)


def _columns(nodes: list[exp.Expression]) -> list[str]:
    return [n.name for n in nodes]


def describe(create: exp.Create, table: str) -> TableKeys:
    """The keys of a MySQL CREATE TABLE (before it is rewritten for SQLite)."""
    keys = TableKeys()
    schema = create.this
    if not isinstance(schema, exp.Schema):
        return keys
    used: set[str] = set()

    def unique_name(name: str) -> str:
        candidate, n = name, 2
        while candidate.lower() in used:
            candidate, n = f"{name}_{n}", n + 1
        used.add(candidate.lower())
        return candidate

    for node in schema.expressions:
        if isinstance(node, exp.ColumnDef):
            for constraint in node.constraints:
                if isinstance(constraint.kind, exp.PrimaryKeyColumnConstraint):
                    keys.primary = [node.name]
                elif isinstance(constraint.kind, exp.UniqueColumnConstraint):
                    keys.unique.append((unique_name(node.name), [node.name]))
        elif isinstance(node, exp.PrimaryKey):
            keys.primary = _columns(node.expressions)
        elif isinstance(node, exp.UniqueColumnConstraint) and isinstance(node.this, exp.Schema):
            columns = _columns(node.this.expressions)
            keys.unique.append((unique_name(node.this.name or columns[0]), columns))
    numbered = 0
    for node in schema.expressions:
        name = None
        if isinstance(node, exp.Constraint) and node.expressions and isinstance(node.expressions[0], exp.ForeignKey):
            name, node = node.name, node.expressions[0]
        if not isinstance(node, exp.ForeignKey):
            continue
        reference = node.args.get("reference")
        target = reference.this if reference is not None else None
        if not isinstance(target, exp.Schema) or not isinstance(target.this, exp.Table):
            continue
        if name is None:
            numbered += 1
            name = f"{table}_ibfk_{numbered}"
        options = reference.args.get("options") or []
        actions = "".join(f" {o}" for o in options)
        keys.foreign.append(ForeignKey(name, _columns(node.expressions), target.this.db or None, target.this.name,
                                       _columns(target.expressions), actions))
    for prop in (create.args.get("properties") or exp.Properties(expressions=[])).expressions:
        if isinstance(prop, exp.AutoIncrementProperty):
            keys.auto_increment = int(prop.this.name)
            prop.pop()
    return keys


def auto_increment_for_sqlite(create: exp.Create) -> None:
    """`id INT AUTO_INCREMENT` that is the primary key becomes `id INTEGER PRIMARY KEY AUTOINCREMENT`
    (SQLite's only kind of counter); any other AUTO_INCREMENT is dropped (SQLite numbers rows)."""
    schema = create.this
    if not isinstance(schema, exp.Schema):
        return
    table_primary = next((n for n in schema.expressions if isinstance(n, exp.PrimaryKey)), None)
    for column in schema.expressions:
        if not isinstance(column, exp.ColumnDef):
            continue
        counter = [c for c in column.constraints if isinstance(c.kind, exp.AutoIncrementColumnConstraint)]
        if not counter:
            continue
        own = any(isinstance(c.kind, exp.PrimaryKeyColumnConstraint) for c in column.constraints)
        table_level = table_primary is not None and _columns(table_primary.expressions) == [column.name]
        if not (own or table_level):
            continue
        if table_level:
            table_primary.pop()
            column.append("constraints", exp.ColumnConstraint(kind=exp.PrimaryKeyColumnConstraint()))
        for constraint in counter:  # last: SQLite wants PRIMARY KEY before AUTOINCREMENT
            constraint.pop()
            column.append("constraints", constraint)
        column.set("kind", exp.DataType.build("INTEGER"))
