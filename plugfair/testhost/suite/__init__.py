"""The directory stestr's ``test_path`` points at.

``python -m stestr.subunit_runner.run discover -t <dir holding plugfair>
<this directory>`` imports this package and calls its ``load_tests``,
which returns the tests of every enabled plugin
(:mod:`plugfair.testhost.discovery`).
"""

from plugfair.testhost.discovery import load_tests

__all__ = ["load_tests"]
