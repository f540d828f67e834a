"""Checking one implementation against another or against a specification: ULP distances, the
derived error bounds, the step-by-step comparison, seeded cases, golden vectors and the model-file
conformance corpus. Used by ``python -m rnnport verify``, the unit tests and the parity suite."""
