"""annstudio: a studio for neuro-computational models.

Layering (imports flow one way, enforced by tests/test_layering.py):
gui -> cli/export/project -> session -> codegen -> engine.simulation -> engine.model -> engine.equations
"""
__version__ = "0.1.0"
