"""The collector workspace: server-rendered pages, the JSON API, auth and CSRF (``arworker web``).

A surface like the CLI: it reads the store and calls :mod:`jobs.actions`; it never drives a
browser and holds no business rule of its own.
"""
