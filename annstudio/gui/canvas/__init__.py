"""The node canvas: ``NetworkScene`` mirrors the document, ``CanvasView`` handles gestures."""
from .scene import NetworkScene
from .view import CanvasView

__all__ = ["NetworkScene", "CanvasView"]
