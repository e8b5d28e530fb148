"""`--query JMESPATH`: the AWS CLI's filter over a command's JSON output.

The expression is compiled when the option is read, before the command runs: a malformed one, an
unknown function or a function given the wrong number of arguments is a usage error (exit 2) and
nothing has been read or changed. What only the data can tell (a function given a string where it
takes a number) fails when the output is filtered, also as a usage error. jmespath (a botocore
dependency) is imported only when --query is given.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import UsageError

HINT = "check the expression (JMESPath, as the AWS CLI's --query: https://jmespath.org), or leave --query out"
# Said when the data makes the expression fail: the command has run by then.
RAN = ("the command itself ran (what it changed, if anything, is in `auroraml history`); fix the expression, "
       "trying it on a --dry-run first")
MAX_LENGTH = 10_000  # longer is no hand-written filter; it would only exercise the parser's recursion


def compile(text: str):  # noqa: A001 - jmespath's own name for it
    """The compiled expression, or a one-line UsageError saying what is wrong with `text`."""
    import jmespath
    from jmespath import exceptions as jx

    from .output import printable

    if len(text) > MAX_LENGTH:
        raise UsageError(f"--query: an expression of {len(text)} characters is too long (at most {MAX_LENGTH})", HINT)
    try:
        compiled = jmespath.compile(text)
    except jx.EmptyExpressionError:
        raise UsageError("--query: the expression is empty", HINT) from None
    except jx.IncompleteExpressionError:
        raise UsageError("--query: the expression is incomplete (it ends too soon)", HINT) from None
    except jx.LexerError as exc:
        raise UsageError(f"--query: not a JMESPath expression: {exc.message} at column {exc.lexer_position}", HINT) from None
    except jx.ParseError as exc:
        token = printable(str(exc.token_value), one_line=True)
        raise UsageError(f"--query: not a JMESPath expression: unexpected {token!r} at column {exc.lex_position}",
                         HINT) from None
    except (jx.JMESPathError, ValueError):  # a JSON literal jmespath itself cannot read, and the like
        raise UsageError("--query: not a JMESPath expression", HINT) from None
    except RecursionError:
        raise UsageError("--query: the expression is nested too deeply", HINT) from None
    _check_functions(compiled.parsed)
    return compiled


def _check_functions(node: dict) -> None:
    """Every function the expression calls exists and is given as many arguments as it takes, and
    no literal is a number JSON cannot hold: jmespath would find out only when it reaches them,
    perhaps after a change was made."""
    from jmespath.functions import Functions

    table = Functions.FUNCTION_TABLE
    stack = [(node, None)]
    while stack:
        current, parent = stack.pop()
        if not isinstance(current, dict):
            continue
        stack.extend((child, current.get("type")) for child in current.get("children") or ())
        if current.get("type") == "expref" and parent != "function_expression":
            raise UsageError("--query: an expression reference (&...) is only an argument of a function "
                             "such as sort_by(@, &name): alone it has no JSON value", HINT)
        if current.get("type") == "literal" and not _finite(current.get("value")):
            raise UsageError("--query: a literal number JSON cannot hold (infinity or NaN)", HINT)
        if current.get("type") != "function_expression":
            continue
        name, given = current["value"], len(current.get("children") or ())
        if name not in table:
            raise UsageError(f"--query: no JMESPath function {name}()", HINT)
        signature = table[name]["signature"]
        variadic = bool(signature) and signature[-1].get("variadic")
        if (given < len(signature)) if variadic else (given != len(signature)):
            wanted = f"at least {len(signature)}" if variadic else str(len(signature))
            raise UsageError(f"--query: {name}() takes {wanted} argument(s), given {given}", HINT)


def _finite(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        return False
    return True


def apply(compiled, doc: Any) -> Any:
    """`doc` (plain JSON values) filtered by the compiled expression; a UsageError if the data
    makes it fail (the command itself has run: its changes, if any, are made and journalled)."""
    from jmespath import exceptions as jx

    try:
        result = compiled.search(doc)
    except jx.JMESPathTypeError as exc:  # its own text quotes the whole value, perhaps the whole document
        wanted = " or ".join(exc.expected_types)
        raise UsageError(f"--query could not filter the output: {exc.function_name}() takes {wanted}, "
                         f"and was given {exc.actual_type}", RAN) from None
    except (jx.JMESPathError, TypeError, ValueError) as exc:
        raise UsageError(f"--query could not filter the output: {_one_line(exc)}", RAN) from None
    except RecursionError:
        raise UsageError("--query: the expression is nested too deeply", RAN) from None
    try:
        json.dumps(result, allow_nan=False)  # a literal such as `1e999` is infinity: not JSON
    except ValueError:
        raise UsageError("--query gave a number JSON cannot hold (infinity or NaN)", RAN) from None
    except TypeError:  # an expression reference a function handed back (to_array(&a)): no JSON value
        raise UsageError("--query gave an expression reference (&...), which has no JSON value", RAN) from None
    return result


def _one_line(exc: BaseException) -> str:
    from .output import printable

    text = " ".join(str(exc).split())
    return printable(text if len(text) <= 200 else text[:200] + "...", one_line=True)
