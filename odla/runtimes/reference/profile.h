// Per-node timing of a computation's executions (HALO extension). On while the
// environment variable ODLA_PROFILE names a file: every execution times each
// step, and when the computation is destroyed its totals are appended to that
// file as tab-separated lines (see odla/README.md for the format).
#pragma once

#include <cstdint>
#include <functional>
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
  // Adds one execution: (node index, nanoseconds spent in it) per step run.
  void add(const std::vector<std::pair<int, uint64_t>>& times, size_t num_nodes);
  // Appends the totals; `label(i)` names node i as "odla function<TAB>output id".
  // Failures to write are ignored (profiling never fails a computation).
  void write(const std::function<std::string(size_t)>& label) const;

 private:
  mutable std::mutex mu_;
  std::vector<NodeTime> nodes_;  // by node index
  uint64_t executions_ = 0;
};

}  // namespace odla_rt
