"""Sphinx configuration for the plugfair documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(__file__, "..", "..", "..")))

project = "plugfair"
copyright = "2026, plugfair developers"
author = "plugfair developers"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "plugfair.sphinxext",
]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
nitpicky = False
suppress_warnings = ["ref.python"]

templates_path = []
exclude_patterns = []
html_theme = "alabaster"
html_static_path = []
intersphinx_mapping = {}
