"""The actions layer: what runs a step for real.

Executors (``executors/``) carry out each capability — deploy, run the automatic
tests, collect logs, migrate, notify, adjust and restore data — through a team's
own tooling. This layer depends on the rules layer, never the other way round.
"""
