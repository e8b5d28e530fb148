"""Aurora MySQL engine versions, as RDS names them and as SQL reports them.

RDS `EngineVersion`: `5.7.mysql_aurora.2.11.2` (v2), `8.0.mysql_aurora.3.06.0` (v3),
`8.4.mysql_aurora.8.4.7` or a bare `8.4.7` (Aurora MySQL 8.4). SQL `AURORA_VERSION()`: `3.06.0`.
"""

from __future__ import annotations

import re

from .errors import UsageError
from .patterns import lazy
from .records import Frozen

_RDS_FORM = lazy(r"^(?P<mysql>\d+\.\d+)\.mysql_aurora\.(?P<aurora>\d+(?:\.\d+){1,3})$", re.ASCII)  # \d: ASCII digits only, not any script's
_BARE_FORM = lazy(r"^(?P<aurora>\d+(?:\.\d+){1,3})$", re.ASCII)

# Aurora generation -> the community MySQL line it is built on.
_MYSQL_LINE = {2: "5.7", 3: "8.0"}


class AuroraVersion(Frozen):
    """A parsed Aurora MySQL version. Orders by its numbers, so `v >= AuroraVersion.parse("3.06")`;
    equal (and hashed) by its numbers alone, whichever form `raw` was written in."""

    __slots__ = ("numbers", "raw")
    numbers: tuple[int, ...]
    raw: str

    def __init__(self, numbers: tuple[int, ...], raw: str = "") -> None:
        self._init(numbers, raw)

    def __eq__(self, other: object) -> bool:
        return self.numbers == other.numbers if other.__class__ is self.__class__ else NotImplemented  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.numbers,))

    def __lt__(self, other: AuroraVersion) -> bool:
        return self.numbers < other.numbers if other.__class__ is self.__class__ else NotImplemented

    def __le__(self, other: AuroraVersion) -> bool:
        return self.numbers <= other.numbers if other.__class__ is self.__class__ else NotImplemented

    def __gt__(self, other: AuroraVersion) -> bool:
        return self.numbers > other.numbers if other.__class__ is self.__class__ else NotImplemented

    def __ge__(self, other: AuroraVersion) -> bool:
        return self.numbers >= other.numbers if other.__class__ is self.__class__ else NotImplemented

    @classmethod
    def parse(cls, text: str) -> "AuroraVersion":
        """Accept the RDS form, the SQL form, or a bare `8.4.x`; refuse anything else."""
        value = (text or "").strip()
        match = _RDS_FORM.match(value) or _BARE_FORM.match(value)
        if not match:
            raise UsageError(
                f"not an Aurora MySQL version: {text!r}",
                "use the RDS form (8.0.mysql_aurora.3.06.0) or the SQL form (3.06.0)",
            )
        numbers = tuple(int(n) for n in match.group("aurora").split("."))
        if numbers[0] not in (2, 3, 8) or (numbers[0] == 8 and numbers[:2] < (8, 4)):
            raise UsageError(
                f"unknown Aurora MySQL generation in {text!r}",
                "Aurora MySQL versions start with 2 (MySQL 5.7), 3 (MySQL 8.0) or 8.4",
            )
        mysql = match.groupdict().get("mysql")
        if mysql and mysql != _MYSQL_LINE.get(numbers[0], "8.4"):
            raise UsageError(f"inconsistent engine version {text!r}: MySQL {mysql} with Aurora {numbers[0]}.x")
        return cls(numbers, value)

    @property
    def generation(self) -> str:
        """'2', '3' or '8.4': the line that decides parameter names and SQL vocabulary."""
        return "8.4" if self.numbers[0] == 8 else str(self.numbers[0])

    @property
    def uses_roles(self) -> bool:
        """v3 and 8.4 grant database roles; v2 grants privileges."""
        return self.numbers[0] != 2

    @property
    def family(self) -> str:
        return "aurora-mysql" + _MYSQL_LINE.get(self.numbers[0], "8.4")

    def at_least(self, minimum: tuple[int, ...]) -> bool:
        return self.numbers[: len(minimum)] >= minimum

    def __str__(self) -> str:
        return ".".join(f"{n:02d}" if i == 1 and self.numbers[0] in (2, 3) else str(n) for i, n in enumerate(self.numbers))
