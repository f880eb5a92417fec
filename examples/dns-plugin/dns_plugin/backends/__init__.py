"""Zone backends.  Both offer the same methods; see :class:`~.demo.DemoBackend`."""
