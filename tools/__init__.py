"""Tools for working on auroraml, not part of it (the wheel holds auroraml_cli only).

`python tools/gen_docs.py` regenerates what is generated from the command tree: the man page and
the completion scripts under man/ and completions/, which the installed `auroraml man` and
`auroraml completion` print as they are.
"""
