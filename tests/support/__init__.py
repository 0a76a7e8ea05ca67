"""Helpers shared by the test layers (imported by the tests themselves, never through conftest)."""
