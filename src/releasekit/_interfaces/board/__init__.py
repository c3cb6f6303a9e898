"""The release board: a read-only web application on the store the command line uses.

``releasekit board`` serves it; :func:`releasekit.board.create_app` builds it
as an ASGI application for a team's own service. Its pages and its JSON API
show the documents ``releasekit --json`` prints, read through a store that
refuses every write. It needs the ``board`` extra (Starlette, uvicorn, Jinja2);
nothing else in releasekit imports this package.
"""
