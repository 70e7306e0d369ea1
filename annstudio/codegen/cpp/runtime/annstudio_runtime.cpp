// The network-independent runtime, built once per machine as libannstudio_rt.so.
#define ANN_RUNTIME_IMPL
#include "annstudio_runtime.h"
