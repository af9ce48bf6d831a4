// The region builder (region_builder.cc); region.h has the entry points.
#pragma once

#include <limits>
#include <map>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "op_params.h"
#include "region.h"

namespace odla_xnn {

// A clamp fused into the op that produces its input (XNNPACK output_min/max).
constexpr uint32_t kNoValue = XNN_INVALID_VALUE_ID;

struct Act {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
};

// How an 8-bit ODLA value lives inside a region: XNNPACK qint8 with this scale and
// zero point. A uint8 value is stored flipped (x ^ 0x80, zero point - 128), which
// keeps every x - zero_point; the region boundary flips it back (region.cc).
struct Quant {
  float scale = 1;
  int32_t zero = 0;  // in the int8 domain
  bool operator==(const Quant& o) const { return scale == o.scale && zero == o.zero; }
};

// The implicit bottom/right padding XNNPACK needs for a 2-D convolution's output
// dims (pads_back[0] rows, [1] columns); false when no padding gives them.
bool conv_back_pads(const odla_ref::ConvParams& p, uint32_t pads_back[2]);

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
  // An fp32 tensor, or a qint8 one for an 8-bit `v` (its quant_ entry).
  uint32_t tensor(const Dims& dims, const void* data, uint32_t external, uint32_t flags,
                  const _odla_value* v = nullptr);
  const float* own(std::vector<float> data);
  const int8_t* own(std::vector<int8_t> data);
  const int32_t* own(std::vector<int32_t> data);
  // The XNNPACK value holding `v` in the given layout, defined on first use.
  uint32_t get(const _odla_value* v, bool nhwc);
  bool holds(const _odla_value* v) const;
  Dims nchw4(const _odla_value* v) const;
  Binding binding(const _odla_value* v, uint32_t id, bool nhwc) const;
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
  // Integer ops (region_quant.cc).
  bool wants(const _odla_value* v, const Quant& q);
  Act take_qclamp(size_t i, const Quant& q, const _odla_value** out);
  uint32_t qweights(const odla_rt::QLinearParams& p, const std::vector<int8_t>& w,
                    const Dims& dims, size_t channel_dim, const int32_t* bias);
  bool qconv(size_t i);
  bool qmatmul(size_t i);
  bool qpool_input(size_t i);

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
  // 8-bit values: their XNNPACK quantization, fixed by the first node that reads or writes them.
  std::unordered_map<const _odla_value*, Quant> quant_;
  // 8-bit [N, C, W] values of 1-D convolutions, seen as [N, C, 1, W].
  std::unordered_set<const _odla_value*> line_;
  uint32_t qbias_ = kNoValue;  // set by qweights: the bias tensor next to the weights
};

}  // namespace odla_xnn
