// XNNPACK's parallel loops on the runtime's own thread pool (odla_ref::parallel_for).
//
// pthreadpool ends every loop with a barrier on all its workers: on a busy
// machine (more runnable threads than cores) a worker that is not scheduled
// stalls each operator for a scheduler slice, tens of them per inference. The
// runtime's pool lets the caller finish the loop alone instead (workers claim
// chunks as they come), and portable kernels and XNNPACK then share one pool.
//
// The pool the regions pass to XNNPACK is a real pthreadpool (one thread, no
// workers) used as a token: the pthreadpool_parallelize_* functions below,
// which XNNPACK's calls bind to, run loops on that token on the runtime's pool
// and forward every other pool to the pthreadpool library (RTLD_NEXT). Were
// XNNPACK to bind to the library directly, the token would still be a valid,
// single-threaded pool.
#include <dlfcn.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cstdlib>

#include "kernels/parallel.h"
#include "region.h"

namespace odla_xnn {

// ODLA_XNNPACK_PTHREADPOOL=1: pthreadpool's own spinning workers instead. Faster on
// an idle machine (its workers never yield their cores), but a worker the scheduler
// delays stalls every operator at pthreadpool's barrier on a busy one.
bool library_pool() {
  static const bool on = [] {
    const char* e = std::getenv("ODLA_XNNPACK_PTHREADPOOL");
    return e != nullptr && e[0] == '1';
  }();
  return on;
}

pthreadpool_t threadpool() {
  static pthreadpool_t token =
      pthreadpool_create(library_pool() ? static_cast<size_t>(odla_ref::num_threads()) : 1);
  return token;
}

}  // namespace odla_xnn

namespace {

template <class F>
F next(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

bool ours(pthreadpool_t pool) {
  return pool != nullptr && !odla_xnn::library_pool() && pool == odla_xnn::threadpool();
}

// Runs body(start, size) for every tile of the N-d range (tiles of 1 where tile
// is 1), the tiles spread over the runtime's pool.
template <int N, class Body>
void for_tiles(const size_t (&range)[N], const size_t (&tile)[N], Body body) {
  size_t count[N];
  int64_t total = 1;
  for (int d = 0; d < N; ++d) {
    count[d] = (range[d] + tile[d] - 1) / tile[d];
    total *= static_cast<int64_t>(count[d]);
  }
  if (total == 0) return;
  odla_ref::parallel_for(total, [&](int64_t begin, int64_t end) {
    size_t start[N], size[N];
    for (int64_t t = begin; t < end; ++t) {
      size_t rest = static_cast<size_t>(t);
      for (int d = N - 1; d >= 0; --d) {
        const size_t idx = rest % count[d];
        rest /= count[d];
        start[d] = idx * tile[d];
        size[d] = std::min(tile[d], range[d] - start[d]);
      }
      body(start, size);
    }
  });
}

// The type of the C function taking these arguments (pthreadpool.h overloads the
// names with C++ templates, so decltype(&name) is ambiguous).
template <class Task, class... A>
auto c_function(pthreadpool_t, Task, void*, A...) -> void (*)(pthreadpool_t, Task, void*, A...);

}  // namespace

extern "C" {

size_t pthreadpool_get_threads_count(pthreadpool_t pool) {
  if (ours(pool)) return static_cast<size_t>(odla_ref::num_threads());
  if (pool == nullptr) return 1;
  static auto real = next<size_t (*)(pthreadpool_t)>("pthreadpool_get_threads_count");
  return real != nullptr ? real(pool) : 1;
}

// Another pool than ours: the pthreadpool library's function.
#define ODLA_XNN_FORWARD(name, ...)                                                  \
  if (!ours(pool)) {                                                                 \
    static const auto real =                                                         \
        next<decltype(c_function(pool, task, ctx, __VA_ARGS__))>(#name);             \
    if (real != nullptr) return real(pool, task, ctx, __VA_ARGS__);                  \
  }

void pthreadpool_parallelize_1d(pthreadpool_t pool, pthreadpool_task_1d_t task, void* ctx,
                                size_t r0, uint32_t flags) {
  ODLA_XNN_FORWARD(pthreadpool_parallelize_1d, r0, flags)
  for_tiles<1>({r0}, {1}, [&](const size_t* s, const size_t*) { task(ctx, s[0]); });
}

void pthreadpool_parallelize_1d_tile_1d(pthreadpool_t pool, pthreadpool_task_1d_tile_1d_t task,
                                        void* ctx, size_t r0, size_t t0, uint32_t flags) {
  ODLA_XNN_FORWARD(pthreadpool_parallelize_1d_tile_1d, r0, t0, flags)
  for_tiles<1>({r0}, {t0}, [&](const size_t* s, const size_t* z) { task(ctx, s[0], z[0]); });
}

void pthreadpool_parallelize_2d(pthreadpool_t pool, pthreadpool_task_2d_t task, void* ctx,
                                size_t r0, size_t r1, uint32_t flags) {
  ODLA_XNN_FORWARD(pthreadpool_parallelize_2d, r0, r1, flags)
  for_tiles<2>({r0, r1}, {1, 1}, [&](const size_t* s, const size_t*) { task(ctx, s[0], s[1]); });
}

void pthreadpool_parallelize_2d_tile_1d(pthreadpool_t pool, pthreadpool_task_2d_tile_1d_t task,
                                        void* ctx, size_t r0, size_t r1, size_t t1,
                                        uint32_t flags) {
  ODLA_XNN_FORWARD(pthreadpool_parallelize_2d_tile_1d, r0, r1, t1, flags)
  for_tiles<2>({r0, r1}, {1, t1},
               [&](const size_t* s, const size_t* z) { task(ctx, s[0], s[1], z[1]); });
}

void pthreadpool_parallelize_2d_tile_2d(pthreadpool_t pool, pthreadpool_task_2d_tile_2d_t task,
                                        void* ctx, size_t r0, size_t r1, size_t t0, size_t t1,
                                        uint32_t flags) {
  ODLA_XNN_FORWARD(pthreadpool_parallelize_2d_tile_2d, r0, r1, t0, t1, flags)
  for_tiles<2>({r0, r1}, {t0, t1},
               [&](const size_t* s, const size_t* z) { task(ctx, s[0], s[1], z[0], z[1]); });
}

void pthreadpool_parallelize_3d(pthreadpool_t pool, pthreadpool_task_3d_t task, void* ctx,
                                size_t r0, size_t r1, size_t r2, uint32_t flags) {
  ODLA_XNN_FORWARD(pthreadpool_parallelize_3d, r0, r1, r2, flags)
  for_tiles<3>({r0, r1, r2}, {1, 1, 1},
               [&](const size_t* s, const size_t*) { task(ctx, s[0], s[1], s[2]); });
}

void pthreadpool_parallelize_3d_tile_2d(pthreadpool_t pool, pthreadpool_task_3d_tile_2d_t task,
                                        void* ctx, size_t r0, size_t r1, size_t r2, size_t t1,
                                        size_t t2, uint32_t flags) {
  ODLA_XNN_FORWARD(pthreadpool_parallelize_3d_tile_2d, r0, r1, r2, t1, t2, flags)
  for_tiles<3>({r0, r1, r2}, {1, t1, t2}, [&](const size_t* s, const size_t* z) {
    task(ctx, s[0], s[1], s[2], z[1], z[2]);
  });
}

void pthreadpool_parallelize_4d(pthreadpool_t pool, pthreadpool_task_4d_t task, void* ctx,
                                size_t r0, size_t r1, size_t r2, size_t r3, uint32_t flags) {
  ODLA_XNN_FORWARD(pthreadpool_parallelize_4d, r0, r1, r2, r3, flags)
  for_tiles<4>({r0, r1, r2, r3}, {1, 1, 1, 1},
               [&](const size_t* s, const size_t*) { task(ctx, s[0], s[1], s[2], s[3]); });
}

void pthreadpool_parallelize_4d_tile_2d(pthreadpool_t pool, pthreadpool_task_4d_tile_2d_t task,
                                        void* ctx, size_t r0, size_t r1, size_t r2, size_t r3,
                                        size_t t2, size_t t3, uint32_t flags) {
  ODLA_XNN_FORWARD(pthreadpool_parallelize_4d_tile_2d, r0, r1, r2, r3, t2, t3, flags)
  for_tiles<4>({r0, r1, r2, r3}, {1, 1, t2, t3}, [&](const size_t* s, const size_t* z) {
    task(ctx, s[0], s[1], s[2], s[3], z[2], z[3]);
  });
}

void pthreadpool_parallelize_5d(pthreadpool_t pool, pthreadpool_task_5d_t task, void* ctx,
                                size_t r0, size_t r1, size_t r2, size_t r3, size_t r4,
                                uint32_t flags) {
  ODLA_XNN_FORWARD(pthreadpool_parallelize_5d, r0, r1, r2, r3, r4, flags)
  for_tiles<5>({r0, r1, r2, r3, r4}, {1, 1, 1, 1, 1}, [&](const size_t* s, const size_t*) {
    task(ctx, s[0], s[1], s[2], s[3], s[4]);
  });
}

void pthreadpool_parallelize_5d_tile_2d(pthreadpool_t pool, pthreadpool_task_5d_tile_2d_t task,
                                        void* ctx, size_t r0, size_t r1, size_t r2, size_t r3,
                                        size_t r4, size_t t3, size_t t4, uint32_t flags) {
  ODLA_XNN_FORWARD(pthreadpool_parallelize_5d_tile_2d, r0, r1, r2, r3, r4, t3, t4, flags)
  for_tiles<5>({r0, r1, r2, r3, r4}, {1, 1, 1, t3, t4}, [&](const size_t* s, const size_t* z) {
    task(ctx, s[0], s[1], s[2], s[3], s[4], z[3], z[4]);
  });
}

void pthreadpool_parallelize_6d_tile_2d(pthreadpool_t pool, pthreadpool_task_6d_tile_2d_t task,
                                        void* ctx, size_t r0, size_t r1, size_t r2, size_t r3,
                                        size_t r4, size_t r5, size_t t4, size_t t5,
                                        uint32_t flags) {
  ODLA_XNN_FORWARD(pthreadpool_parallelize_6d_tile_2d, r0, r1, r2, r3, r4, r5, t4, t5, flags)
  for_tiles<6>({r0, r1, r2, r3, r4, r5}, {1, 1, 1, 1, t4, t5},
               [&](const size_t* s, const size_t* z) {
                 task(ctx, s[0], s[1], s[2], s[3], s[4], s[5], z[4], z[5]);
               });
}

#undef ODLA_XNN_FORWARD

}  // extern "C"
