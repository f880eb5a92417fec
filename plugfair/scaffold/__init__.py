"""Scaffolding of new plugin projects (``plugfair plugin new``); core only."""
