"""``ANNarchy.extensions.ann_to_snn_conversion``: ``ANNtoSNNConverter`` (``annstudio.session.ann_to_snn``),
from numpy weight arrays or Keras files read with h5py; no deep-learning framework needed."""
from annstudio.session.ann_to_snn import ANNtoSNNConverter

__all__ = ["ANNtoSNNConverter"]
