"""What the reliability suite covers (issue 7), counted from the lists its tests run: printed at
the end of every pytest run (tests/conftest.py) and quoted by the README's "Reliability" section
(tests/docs/test_readme_reliability.py keeps the two equal)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
# Each fault module lists its (command, fault, step) scenarios in SCENARIOS.
FAULT_MODULES = {
    "AWS faults (throttling, 5xx, lost answers, retry bounds, IAM propagation, stuck associations and reboots)":
        "cli/test_faults_aws.py",
    "interruptions (Ctrl-C and SIGTERM at each write and wait)": "cli/test_faults_signals.py",
    "database connections dropped mid-grant, mid-revoke, mid-DDL": "db/test_faults_db.py",
    "real SIGINT, SIGTERM and SIGKILL sent to the installed command": "e2e/test_faults_signals_e2e.py",
}
HOSTILE_MODULE = "core/test_hostile_input.py"
ACCOUNTS_MODULE = "db/test_hostile_accounts.py"
SECRETS_MODULE = "cli/test_secrets.py"


def _module(relative: str):
    """The test module, as pytest imported it when it did; else loaded on its own."""
    path = TESTS / relative
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) and Path(module.__file__).resolve() == path:
            return module
    # The name pytest's default import mode gives it: package-qualified where the folder is one.
    package = (path.parent / "__init__.py").exists()
    folder = str(TESTS if package else path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(f"{path.parent.name}.{path.stem}" if package else path.stem)


def _properties(module) -> list[tuple[str, int]]:
    """(test name, hypothesis examples at most) for every property-based test of a module."""
    found = []
    for name in dir(module):
        test = getattr(module, name)
        if name.startswith("test_") and hasattr(test, "hypothesis"):
            generated = test._hypothesis_internal_use_settings.max_examples
            explicit = len(getattr(test, "hypothesis_explicit_examples", ()))
            found.append((name, generated + explicit))
    return found


def figures() -> dict[str, object]:
    faults = {title: len(_module(path).SCENARIOS) for title, path in FAULT_MODULES.items()}
    hostile = _module(HOSTILE_MODULE)
    accounts = _module(ACCOUNTS_MODULE)
    secrets = _module(SECRETS_MODULE)
    properties = _properties(hostile) + _properties(accounts)
    return {
        "faults": faults,
        "fault_scenarios": sum(faults.values()),
        "hostile_families": len(hostile.HOSTILE_FAMILIES),
        "properties": len(properties),
        "examples": sum(n for _, n in properties),
        "sql_modes": len(accounts.SQL_MODES),
        "secret_sources": len(secrets.SOURCES),
        "secret_places": len(secrets.PLACES),
    }


def summary(f: dict | None = None) -> list[str]:
    """The lines printed at the end of a run, and quoted in the README."""
    f = f or figures()
    lines = [f"{f['fault_scenarios']} fault scenarios; after each, the same command run again reaches the end state "
             "of an undisturbed run, nothing made twice and nothing of someone else's taken over:"]
    lines += [f"  {n:>3}  {title}" for title, n in f["faults"].items()]
    lines.append(f"{f['hostile_families']} families of hostile input, {f['properties']} property-based tests, "
                 f"up to {f['examples']} generated inputs in all (database accounts tried on real MariaDB "
                 f"under {f['sql_modes']} sql_modes)")
    lines.append(f"secrets from {f['secret_sources']} sources looked for in {f['secret_places']} places")
    return lines


def module_paths() -> list[Path]:
    return [TESTS / p for p in (*FAULT_MODULES.values(), HOSTILE_MODULE, ACCOUNTS_MODULE, SECRETS_MODULE)]


if __name__ == "__main__":  # cd tests && ../.venv/bin/python -m support.reliability
    print("\n".join(summary()))
