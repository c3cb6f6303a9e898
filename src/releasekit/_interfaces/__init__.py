"""The interfaces layer: the ``releasekit`` command line."""
