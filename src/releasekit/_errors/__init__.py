"""The exception tree by concern; :mod:`releasekit.exceptions` is its public face."""
