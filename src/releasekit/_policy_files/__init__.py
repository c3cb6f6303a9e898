"""Policy files: a team's process written in TOML, read into a policy without running its code.

Between the records and the actions: it builds rules values with the project's
converter, and the desk reads a policy file through it (``Desk.open(policy=path)``),
as the command line and the testing kit do.
"""
