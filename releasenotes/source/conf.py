"""Sphinx configuration for the plugfair release notes."""

project = "plugfair release notes"
copyright = "2026, plugfair developers"
extensions = ["reno.sphinxext"]
html_theme = "alabaster"
exclude_patterns = []
