"""The quota dashboard: a Flask app with one panel per plugin.

Import :func:`plugfair.dashboard.app.create_app` for the WSGI application;
``plugfair dashboard`` serves it with waitress.  Importing this package
imports nothing heavy.
"""
