"""Live plots (pyqtgraph) that pull from the run's ``LiveFeed`` on a timer."""
from .panel import PlotsPanel

__all__ = ["PlotsPanel"]
