"""Tests of the DNS plugin."""
