"""ANNarchy's ``extensions`` package path: ``import annstudio.engine.extensions.bold as bold`` (BOLD
monitoring).  Convolution and pooling are in ``annstudio.engine`` itself."""
