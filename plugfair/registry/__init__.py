"""Plugin discovery, validation, collisions and the manifest cache (core only)."""
