#include "profile.h"

#include <cstdio>
#include <cstdlib>

namespace odla_rt {

const char* Profile::path() {
  const char* p = std::getenv("ODLA_PROFILE");
  return p != nullptr && *p != '\0' ? p : nullptr;
}

void Profile::add(const std::vector<std::pair<int, uint64_t>>& times, size_t num_nodes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (nodes_.size() < num_nodes) nodes_.resize(num_nodes);
  for (const auto& [node, ns] : times) {
    NodeTime& t = nodes_[static_cast<size_t>(node)];
    ++t.calls;
    t.nanoseconds += ns;
  }
  ++executions_;
}

void Profile::write(const std::function<std::string(size_t)>& label) const {
  std::lock_guard<std::mutex> lock(mu_);
  const char* p = path();
  if (executions_ == 0 || p == nullptr) return;
  std::string text = "# odla_reference profile\texecutions\t" + std::to_string(executions_) + "\n";
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].calls == 0) continue;
    text += std::to_string(i) + "\t" + label(i) + "\t" + std::to_string(nodes_[i].calls) + "\t" +
            std::to_string(nodes_[i].nanoseconds) + "\n";
  }
  if (std::FILE* f = std::fopen(p, "a")) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
}

}  // namespace odla_rt
