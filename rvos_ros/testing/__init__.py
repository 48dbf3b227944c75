"""Test support shared by the test suite and the benchmarks: tiny random-weight models built from configs,
a scripted OpenAI-compatible server on loopback, and an independently written video generator.

Nothing here is used by the robot's code path; it is a package so that `bench/` imports only the package.
Building the tiny models needs the `models` extra (torch, transformers, sam2).
"""
