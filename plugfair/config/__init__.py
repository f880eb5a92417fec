"""Configuration: the core options and building a ``ConfigOpts`` (core only)."""
