// The region builder (region_builder.cc); region.h has the entry points.
#pragma once

#include <limits>
#include <map>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "region.h"

namespace odla_xnn {

// A clamp fused into the op that produces its input (XNNPACK output_min/max).
struct Act {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
};

class Builder {
 public:
  // `outputs` null: a dry run that only applies the rules (no XNNPACK calls).
  Builder(const _odla_computation& comp, const std::vector<odla_rt::Node>& nodes, size_t begin,
          size_t end, const std::vector<const _odla_value*>* outputs);
  // Adds node i; false when the region cannot take it.
  bool add(size_t i);
  std::shared_ptr<Region> finish();

 private:
  struct Slot {
    uint32_t id;
    bool nhwc;
  };
  bool ok(xnn_status s);
  uint32_t tensor(const Dims& dims, const void* data, uint32_t external, uint32_t flags);
  const float* own(std::vector<float> data);
  // The XNNPACK value holding `v` in the given layout, defined on first use.
  uint32_t get(const _odla_value* v, bool nhwc);
  uint32_t define_output(const _odla_value* v, bool nhwc);
  bool is_nhwc(const _odla_value* v) const;
  Act take_clamp(size_t i, const _odla_value** out);
  bool conv(size_t i);
  bool gemm(size_t i);
  bool pool(size_t i);
  bool global_pool(size_t i);
  bool binary(size_t i);
  bool unary(size_t i);
  bool softmax(size_t i);
  bool flatten_into_gemm(size_t i);
  bool reshape(size_t i);
  bool transpose(size_t i);

  const _odla_computation& comp_;
  const std::vector<odla_rt::Node>& nodes_;
  size_t begin_, end_;
  bool dry_;
  bool broken_ = false;
  int count_ = 0;
  uint32_t next_fake_ = 0, next_external_ = 0;
  std::shared_ptr<Region> region_;
  std::unordered_set<const _odla_value*> outputs_;
  std::unordered_map<const _odla_value*, int> readers_;
  std::unordered_map<const _odla_value*, Slot> produced_;
  std::map<std::pair<const _odla_value*, bool>, uint32_t> views_;
  std::unordered_set<size_t> skip_;
  // Flattened NHWC values: (C, H * W) of the [N, C, H, W] value before the flatten.
  std::unordered_map<const _odla_value*, std::pair<int64_t, int64_t>> flat_;
};

}  // namespace odla_xnn
