#include "profile.h"

#include <cstdio>
#include <cstdlib>

namespace odla_rt {

const char* Profile::path() {
  const char* p = std::getenv("ODLA_PROFILE");
  return p != nullptr && *p != '\0' ? p : nullptr;
}

void Profile::add(std::shared_ptr<const void> plan,
                  const std::vector<std::pair<int, uint64_t>>& times,
                  std::vector<std::string> (*labels)(const void* plan), size_t arena_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (plan != plan_) {
    labels_ = labels(plan.get());
    nodes_.assign(labels_.size(), NodeTime{});
    executions_ = 0;
    arena_bytes_ = arena_bytes;
    plan_ = std::move(plan);
  }
  for (const auto& [node, ns] : times) {
    NodeTime& t = nodes_[static_cast<size_t>(node)];
    ++t.calls;
    t.nanoseconds += ns;
  }
  ++executions_;
}

void Profile::write(const std::string& runtime) const {
  std::lock_guard<std::mutex> lock(mu_);
  const char* p = path();
  if (executions_ == 0 || p == nullptr) return;
  std::string text = "# odla profile\truntime\t" + runtime + "\texecutions\t" +
                     std::to_string(executions_) + "\tarena_bytes\t" +
                     std::to_string(arena_bytes_) + "\n";
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].calls == 0) continue;
    text += std::to_string(i) + "\t" + labels_[i] + "\t" + std::to_string(nodes_[i].calls) +
            "\t" + std::to_string(nodes_[i].nanoseconds) + "\n";
  }
  if (std::FILE* f = std::fopen(p, "a")) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
}

}  // namespace odla_rt
