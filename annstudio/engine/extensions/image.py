"""``ANNarchy.extensions.image``: image and video input populations (``annstudio.session.image``)."""
from annstudio.session.image import ImagePopulation, VideoPopulation

__all__ = ["ImagePopulation", "VideoPopulation"]
