"""Executors: protocols per capability, the registry, and the built-in executors.

The public names are re-exported by :mod:`releasekit.executors`.
"""
