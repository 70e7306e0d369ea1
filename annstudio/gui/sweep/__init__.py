"""The sweep dashboard: ``SweepPanel`` (panel.py) over the session's sweep engine, fed by a thread
(feed.py), with thumbnails, the summary curve and a run's plots (plots.py)."""
from .panel import SweepPanel

__all__ = ["SweepPanel"]
