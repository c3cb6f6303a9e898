"""The actions layer: what runs a step for real.

Executors (``executors/``) carry out each capability — deploy, run the automatic
tests, collect logs, migrate, notify, adjust and restore data — through a team's
own tooling. The :class:`~releasekit.Desk` (``desk``) coordinates them: it asks
the rules, runs the executor and records the outcome. Beside it live the values
of the environment operations: log reports and monitoring (``logs``), which
release runs where and rollbacks (``deployments``), and data operations
(``data``). This layer depends on the rules and records layers, never the other
way round.
"""
