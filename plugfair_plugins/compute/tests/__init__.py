"""Tests of the compute plugin: recorded-response unit tests and API tests."""
