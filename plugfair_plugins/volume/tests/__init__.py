"""Tests of the volume plugin: recorded-response unit tests and API tests."""
