"""Tests of the identity plugin: real API tests against Keystone."""
