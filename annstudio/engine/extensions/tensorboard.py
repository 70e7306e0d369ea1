"""``ANNarchy.extensions.tensorboard``: the tensorboard ``Logger`` (tensorboardX optional: the
``tensorboard`` extra)."""
from annstudio.session.tensorboard import Logger

__all__ = ["Logger"]
