"""``ANNarchy.extensions.bold``: BOLD models and monitors (``annstudio.session.bold``)."""
from annstudio.core.library.bold import (BoldModel, balloon_CL, balloon_CN, balloon_maith2021, balloon_RL,
                                         balloon_RN, balloon_two_inputs)
from annstudio.session.bold import BoldMonitor, BoldMonitorFromSlices

__all__ = ["BoldModel", "BoldMonitor", "BoldMonitorFromSlices", "balloon_CL", "balloon_CN", "balloon_RL",
           "balloon_RN", "balloon_maith2021", "balloon_two_inputs"]
