"""The recorded cloud of this plugin's unit tests.

:class:`~plugfair.api.FakeCloud` (Keystone's token API plus recorded
answers, served on 127.0.0.1) comes from the stable interface.
"""

from __future__ import annotations

from plugfair.api import FakeCloud, RecordedRequest

__all__ = ["FakeCloud", "RecordedRequest", "PROJECT_ID", "USER_ID", "TOKEN"]

PROJECT_ID = FakeCloud.PROJECT_ID
USER_ID = FakeCloud.USER_ID
TOKEN = FakeCloud.TOKEN
