"""Regular expressions compiled when first used, not when their module is imported.

Start-up is paid on every run and every TAB press: compiling a module's patterns at import costs
from a fraction of a millisecond to several each, for patterns most commands never use (an offline
`ddl` used to compile some forty). `lazy(source, flags)` stands in for `re.compile(source, flags)`.
"""

import re


class lazy:  # noqa: N801 - used where re.compile was, and reads as it does
    """A pattern compiled on its first use (match, fullmatch, search, sub, ...)."""

    __slots__ = ("source", "flags", "_compiled")

    def __init__(self, source: str, flags: int = 0) -> None:
        self.source, self.flags, self._compiled = source, flags, None

    def __getattr__(self, name: str):
        if self._compiled is None:
            self._compiled = re.compile(self.source, self.flags)
        return getattr(self._compiled, name)
