"""``python -m releasekit``: the ``releasekit`` command."""

from releasekit._interfaces.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
