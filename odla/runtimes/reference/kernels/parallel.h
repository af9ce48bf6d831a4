// Persistent thread pool used by every reference kernel.
#pragma once

#include <cstdint>
#include <functional>

namespace odla_ref {

// Number of threads parallel_for uses: env ODLA_NUM_THREADS if set to a
// positive integer, else std::thread::hardware_concurrency() (at least 1).
// Read once, when the pool is first used.
int num_threads();

// Runs fn(begin, end) over disjoint chunks covering [0, n), on the pool's
// workers plus the calling thread, and returns when all chunks are done.
// Runs fn(0, n) inline when n <= grain, when there is one thread, or when
// called from inside another parallel_for (nesting never deadlocks).
// Calls from several host threads at once are serialized. Chunks hold at
// least `grain` items (except the last). An exception thrown by fn is
// rethrown in the caller after all chunks have finished.
void parallel_for(int64_t n,
                  const std::function<void(int64_t begin, int64_t end)>& fn,
                  int64_t grain = 1);

}  // namespace odla_ref
