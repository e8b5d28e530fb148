"""Documents generated from the command tree: shell completions and the man page.

`python -m auroraml_cli.docs` rewrites `completions/` and `man/` at the top of the repository;
tests regenerate them and fail when the committed files drift from the tree.
"""
