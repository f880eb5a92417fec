"""The tests host: every enabled plugin's tests, found and run by stestr.

* :mod:`plugfair.testhost.discovery` gathers the tests of every enabled
  plugin through the ``load_tests`` protocol; the package
  :mod:`plugfair.testhost.suite` is what stestr's ``test_path`` points at.
* :mod:`plugfair.testhost.contract` generates the contract tests every
  plugin gets.
* :mod:`plugfair.testhost.runner` wraps stestr for ``plugfair run`` and
  ``plugfair list-tests``; :mod:`plugfair.testhost.selection` turns the
  command-line filters and ``--shard`` into a list of test ids.
* :mod:`plugfair.testhost.workspace` manages workspaces.
* :mod:`plugfair.testhost.context` is the per-process view of the host
  (configuration and registry) that tests use.

No plugin and no directory is special: plugfair's own plugin goes through
the same path as every other.
"""
