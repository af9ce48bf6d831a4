// Per-node timing of a computation's executions (HALO extension). On while the
// environment variable ODLA_PROFILE names a file: every execution times each
// step, and when the computation is destroyed its totals are appended to that
// file as tab-separated lines (see odla/README.md for the format).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace odla_rt {

struct NodeTime {
  uint64_t calls = 0;
  uint64_t nanoseconds = 0;
};

class Profile {
 public:
  // The file named by ODLA_PROFILE, or nullptr when profiling is off.
  static const char* path();
  // Adds one execution of `plan` (kept alive here): (node index, nanoseconds)
  // per step run. A plan other than the last one restarts the counts; then
  // `labels` names its nodes ("odla function<TAB>output id<TAB>kernel").
  void add(std::shared_ptr<const void> plan, const std::vector<std::pair<int, uint64_t>>& times,
           std::vector<std::string> (*labels)(const void* plan), size_t arena_bytes);
  // Appends the totals. Failures to write are ignored (profiling never fails
  // a computation).
  void write(const std::string& runtime) const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const void> plan_;
  std::vector<std::string> labels_;  // by node index
  std::vector<NodeTime> nodes_;      // by node index
  uint64_t executions_ = 0;
  size_t arena_bytes_ = 0;
};

}  // namespace odla_rt
