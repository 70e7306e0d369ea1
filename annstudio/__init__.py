"""annstudio: a studio for neuro-computational models.

Layering (imports flow one way; import-linter contracts in pyproject.toml, run by ``lint-imports``):
engine (the facade) -> gui | cli -> project -> session -> codegen -> core; Qt only in gui.
"""
__version__ = "0.1.0"
