"""Serve Keystone's WSGI application on 127.0.0.1 for plugfair's CI.

Usage: OS_KEYSTONE_CONFIG_FILES=/path/keystone.conf python keystone_serve.py PORT
(recent keystone releases ship no keystone-wsgi-public script).
"""

import os
import sys
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

port = int(sys.argv[1]) if len(sys.argv) > 1 else 35358
sys.argv = sys.argv[:1]  # oslo.config would reject the port argument
if not os.environ.get("OS_KEYSTONE_CONFIG_FILES"):
    sys.exit("set OS_KEYSTONE_CONFIG_FILES")

from keystone.server import wsgi  # noqa: E402

_keystone = wsgi.initialize_public_application()
_lock = threading.Lock()


def application(environ, start_response):
    # Keystone on SQLite answers "database is locked" (HTTP 500) when two
    # requests write at once; serialise them, as one process would.
    with _lock:
        return list(_keystone(environ, start_response))


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


make_server("127.0.0.1", port, application, server_class=_Server, handler_class=_Quiet).serve_forever()
