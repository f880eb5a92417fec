"""Tests of the network plugin: recorded-response unit tests and API tests."""
