"""The actions layer: what runs a step for real.

Executors (``executors/``) carry out each capability — deploy, run the automatic
tests, collect logs, migrate, notify, adjust and restore data — through a team's
own tooling. The :class:`~releasekit.Desk` (``desk``) coordinates them through
one room per concern (``*_room.py``, each a :class:`~releasekit._actions.room.Room`):
it asks the rules, runs the executor and records the outcome; ``opening`` turns
what a script names into its parts. Beside them live the values of the
environment operations: log reports and monitoring (``logs``), which release
runs where and rollbacks (``deployments``), and data operations (``data``).
This layer depends on the policy files, records and rules layers below it
(``opening`` reads a policy file for ``Desk.open(policy=path)``), never the
other way round.
"""
