/* emulation.h: run the generated CUDA kernels on the CPU (compile with g++ -DANN_EMULATION).
 *
 * The CUDA backend's kernels are compiled unchanged against this header: the
 * execution-space qualifiers become no-ops, the built-in index variables are
 * globals set by the launcher, and a launch runs the grid sequentially, block
 * by block, thread by thread (x fastest), so atomic accumulation happens in a
 * deterministic order.
 *
 * Kernels that synchronise threads (__syncthreads, warp shuffles, ballots) are
 * launched with ANN_LAUNCH_COOP: each thread of a block then runs as a fiber
 * (ucontext) and every barrier switches back to a round-robin scheduler, which
 * resumes the fibers in thread order once all of them have reached the barrier
 * (or finished).  That honours __syncthreads exactly, and warp primitives are
 * emulated as "write own value, barrier, read partner's value, barrier", which
 * needs the whole block to execute them convergently (the generated kernels do).
 * A barrier inside a kernel launched with ANN_LAUNCH aborts with a message, so a
 * kernel that needs the cooperative launch cannot silently run without it.
 *
 * The CUDA runtime calls the host code uses (cudaMalloc, cudaMemcpy, ...) are
 * emulated with malloc/memcpy: "device" memory is separate host memory, so the
 * host-device copies of the real build are exercised too.
 */
#pragma once
#ifndef ANN_EMULATION
#error "emulation.h is only for CPU builds (-DANN_EMULATION)"
#endif

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ucontext.h>
#include <algorithm>
#include <vector>

using std::max;
using std::min;

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __constant__ static

struct dim3 {
    unsigned x, y, z;
    dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct uint3 { unsigned x, y, z; };

inline uint3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;
static const int warpSize = 32;

namespace ann_emu {

constexpr size_t kStack = 64 * 1024;
constexpr unsigned kMaxThreads = 1024;

struct Fiber {
    ucontext_t ctx;
    bool done = false;
    uint3 tid{0, 0, 0};
};

struct State {
    ucontext_t main_ctx;
    std::vector<Fiber> fibers;
    std::vector<char> stacks;
    Fiber* current = nullptr;
    bool cooperative = false;
    void (*body)(void*) = nullptr;
    void* body_arg = nullptr;
    uint64_t slots[kMaxThreads];   // exchange area for warp primitives
};
inline State state;

inline unsigned linear_tid() {
    return threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
}

inline void barrier() {
    if (!state.cooperative) {
        std::fprintf(stderr, "annstudio CUDA emulation: a barrier or warp primitive was reached in a kernel "
                             "launched with ANN_LAUNCH; launch it with ANN_LAUNCH_COOP\n");
        std::abort();
    }
    swapcontext(&state.current->ctx, &state.main_ctx);
}

inline void trampoline() {
    state.body(state.body_arg);
    state.current->done = true;   // returning switches to uc_link (the scheduler)
}

template <class F>
void call_body(void* f) { (*static_cast<F*>(f))(); }

template <class F>
void launch(dim3 grid, dim3 block, bool coop, F&& f) {
    gridDim = grid;
    blockDim = block;
    const unsigned nthreads = block.x * block.y * block.z;
    if (nthreads > kMaxThreads) {
        std::fprintf(stderr, "annstudio CUDA emulation: %u threads per block (max %u)\n", nthreads, kMaxThreads);
        std::abort();
    }
    for (unsigned bz = 0; bz < grid.z; ++bz)
    for (unsigned by = 0; by < grid.y; ++by)
    for (unsigned bx = 0; bx < grid.x; ++bx) {
        blockIdx = uint3{bx, by, bz};
        if (!coop) {
            state.cooperative = false;
            for (unsigned tz = 0; tz < block.z; ++tz)
            for (unsigned ty = 0; ty < block.y; ++ty)
            for (unsigned tx = 0; tx < block.x; ++tx) {
                threadIdx = uint3{tx, ty, tz};
                f();
            }
            continue;
        }
        state.cooperative = true;
        state.body = &call_body<F>;
        state.body_arg = static_cast<void*>(&f);
        state.fibers.assign(nthreads, Fiber());
        if (state.stacks.size() < nthreads * kStack) state.stacks.resize(nthreads * kStack);
        unsigned k = 0;
        for (unsigned tz = 0; tz < block.z; ++tz)
        for (unsigned ty = 0; ty < block.y; ++ty)
        for (unsigned tx = 0; tx < block.x; ++tx, ++k) {
            Fiber& fb = state.fibers[k];
            fb.tid = uint3{tx, ty, tz};
            getcontext(&fb.ctx);
            fb.ctx.uc_stack.ss_sp = state.stacks.data() + k * kStack;
            fb.ctx.uc_stack.ss_size = kStack;
            fb.ctx.uc_link = &state.main_ctx;
            makecontext(&fb.ctx, trampoline, 0);
        }
        bool live = true;
        while (live) {   // one round: every live fiber runs to its next barrier or its end
            live = false;
            for (Fiber& fb : state.fibers) {
                if (fb.done) continue;
                threadIdx = fb.tid;
                state.current = &fb;
                swapcontext(&state.main_ctx, &fb.ctx);
                live = live || !fb.done;
            }
        }
        state.cooperative = false;
    }
}

}  // namespace ann_emu

inline void __syncthreads() { ann_emu::barrier(); }
inline void __syncwarp(unsigned = 0xffffffffu) { ann_emu::barrier(); }
inline void __threadfence() {}

template <class T>
inline T ann_emu_shfl(T v, int src_lane, bool valid) {
    static_assert(sizeof(T) <= 8, "shuffle of a value wider than 8 bytes");
    const unsigned me = ann_emu::linear_tid();
    std::memcpy(&ann_emu::state.slots[me], &v, sizeof(T));
    ann_emu::barrier();
    T out = v;
    if (valid) std::memcpy(&out, &ann_emu::state.slots[(me / 32) * 32 + src_lane], sizeof(T));
    ann_emu::barrier();
    return out;
}

template <class T>
inline T __shfl_down_sync(unsigned, T v, unsigned delta, int width = 32) {
    const int lane = ann_emu::linear_tid() % 32;
    const int seg = lane % width;
    return ann_emu_shfl(v, lane + (int)delta, seg + (int)delta < width);
}

template <class T>
inline T __shfl_xor_sync(unsigned, T v, int mask, int width = 32) {
    const int lane = ann_emu::linear_tid() % 32;
    const int src = lane ^ mask;
    return ann_emu_shfl(v, src, (src / width) == (lane / width));
}

template <class T>
inline T __shfl_sync(unsigned, T v, int src, int width = 32) {
    const int lane = ann_emu::linear_tid() % 32;
    return ann_emu_shfl(v, (lane / width) * width + src % width, true);
}

inline unsigned __ballot_sync(unsigned, int pred) {
    const unsigned me = ann_emu::linear_tid();
    ann_emu::state.slots[me] = pred ? 1u : 0u;
    ann_emu::barrier();
    unsigned out = 0, base = (me / 32) * 32;
    for (unsigned l = 0; l < 32; ++l)
        if (base + l < blockDim.x * blockDim.y * blockDim.z && ann_emu::state.slots[base + l]) out |= 1u << l;
    ann_emu::barrier();
    return out;
}

inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }

template <class T>
inline T atomicAdd(T* p, T v) { T old = *p; *p = old + v; return old; }
template <class T>
inline T atomicMax(T* p, T v) { T old = *p; if (v > old) *p = v; return old; }
template <class T>
inline T atomicMin(T* p, T v) { T old = *p; if (v < old) *p = v; return old; }
template <class T>
inline T atomicExch(T* p, T v) { T old = *p; *p = v; return old; }
template <class T>
inline T __ldg(const T* p) { return *p; }

/* ---- the part of the CUDA runtime API the host code uses ---- */
typedef int cudaError_t;
typedef void* cudaStream_t;
enum { cudaSuccess = 0, cudaErrorMemoryAllocation = 2, cudaErrorNoDevice = 100 };
enum cudaMemcpyKind { cudaMemcpyHostToHost, cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost,
                      cudaMemcpyDeviceToDevice, cudaMemcpyDefault };
struct cudaDeviceProp { char name[256]; int major, minor, multiProcessorCount; };

inline cudaError_t cudaMalloc(void** p, size_t n) {
    *p = std::calloc(n ? n : 1, 1);
    return *p ? cudaSuccess : cudaErrorMemoryAllocation;
}
inline cudaError_t cudaFree(void* p) { std::free(p); return cudaSuccess; }
inline cudaError_t cudaMemcpy(void* d, const void* s, size_t n, cudaMemcpyKind) {
    if (n) std::memmove(d, s, n);
    return cudaSuccess;
}
inline cudaError_t cudaMemcpyAsync(void* d, const void* s, size_t n, cudaMemcpyKind k, cudaStream_t = 0) {
    return cudaMemcpy(d, s, n, k);
}
inline cudaError_t cudaMemset(void* d, int v, size_t n) { std::memset(d, v, n); return cudaSuccess; }
inline cudaError_t cudaMemsetAsync(void* d, int v, size_t n, cudaStream_t = 0) { return cudaMemset(d, v, n); }
inline cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
inline cudaError_t cudaGetLastError() { return cudaSuccess; }
inline cudaError_t cudaSetDevice(int) { return cudaSuccess; }
inline cudaError_t cudaGetDeviceCount(int* n) { *n = 1; return cudaSuccess; }
inline cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int) {
    std::snprintf(p->name, sizeof p->name, "CPU emulation");
    p->major = 0; p->minor = 0; p->multiProcessorCount = 1;
    return cudaSuccess;
}
inline const char* cudaGetErrorString(cudaError_t e) { return e ? "emulated CUDA error" : "no error"; }

#define ANN_LAUNCH(kernel, grid, block, ...) \
    ann_emu::launch(dim3(grid), dim3(block), false, [&]() { kernel(__VA_ARGS__); })
#define ANN_LAUNCH_COOP(kernel, grid, block, ...) \
    ann_emu::launch(dim3(grid), dim3(block), true, [&]() { kernel(__VA_ARGS__); })
