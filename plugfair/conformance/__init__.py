"""The conformance checker behind ``plugfair check`` (core only).

Static checks parse a plugin's files with :mod:`ast` and never import or
run them; dynamic checks load the plugin in a child process through the
registry's probe; the core audit applies both to plugfair itself.  What a
host's stable interface is comes from a profile, which is data.
"""
