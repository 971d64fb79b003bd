"""Realistic, fully coded case loads for tests, demos and load tests: `flask seed`."""
