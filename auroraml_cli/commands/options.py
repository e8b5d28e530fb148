"""Option types shared by several commands, so their names and help read the same everywhere."""

from __future__ import annotations

import enum

from ..core.catalogue import SERVICE_NAMES

# An Enum gives shell completion and a clear usage error for free.
ServiceName = enum.Enum("ServiceName", {name: name for name in SERVICE_NAMES}, type=str)  # type: ignore[misc]

TIMEOUT_HELP = "Seconds to wait for each association and each reboot before giving up (exit 6; run again to resume)."
