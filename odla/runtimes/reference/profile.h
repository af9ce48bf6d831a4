// Per-node timing of a computation's executions (HALO extension). On while the
// environment variable ODLA_PROFILE names a file: every execution times each
// step, and when the computation is destroyed its totals are appended to that
// file as tab-separated lines (see odla/README.md for the format).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
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
  // Adds one execution: `ns[i]` nanoseconds spent in node `nodes[i]`.
  void add(const std::vector<int>& nodes, const std::vector<uint64_t>& ns, size_t num_nodes);
  // Appends the totals; `op(i)` and `id(i)` name node i. Failures to write are
  // ignored (profiling never fails a computation).
  template <class Op, class Id>
  void write(const Op& op, const Id& id) const;

 private:
  void append(const std::string& text) const;
  mutable std::mutex mu_;
  std::vector<NodeTime> nodes_;  // by node index
  uint64_t executions_ = 0;
};

template <class Op, class Id>
void Profile::write(const Op& op, const Id& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (executions_ == 0 || path() == nullptr) return;
  std::string text = "# odla_reference profile\texecutions\t" + std::to_string(executions_) + "\n";
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].calls == 0) continue;
    text += std::to_string(i) + "\t" + op(i) + "\t" + id(i) + "\t" +
            std::to_string(nodes_[i].calls) + "\t" + std::to_string(nodes_[i].nanoseconds) + "\n";
  }
  append(text);
}

}  // namespace odla_rt
