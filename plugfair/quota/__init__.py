"""The quota host: store, backends, enforcement and CLI (private)."""
