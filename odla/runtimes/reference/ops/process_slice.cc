// Slice, Pad and Concat for every element type.
#include <algorithm>
#include <cstring>

#include "builder.h"
#include "copy.h"
#include "kernels/parallel.h"

namespace odla_rt {
namespace {

odla_value build_slice(odla_value input, const odla_int32* start, const odla_int32* end,
                       const odla_int32* stride, const odla_value_shape& output_dims,
                       const odla_value_id id) {
  odla_value x = operand(input, "input");
  const int rank = x->type.rank();
  if (rank != 0 && (start == nullptr || end == nullptr || stride == nullptr))
    fail("start, end and stride must not be NULL");
  const Dims in_strides = dense_strides(x->type.dims);
  Dims out(rank), strides(rank);
  int64_t base = 0;
  for (int d = 0; d < rank; ++d) {
    const int64_t n = x->type.dims[d], b = start[d], e = end[d], s = stride[d];
    if (s == 0) fail("stride of dimension " + std::to_string(d) + " is 0");
    const int64_t span = s > 0 ? e - b : b - e;
    const int64_t step = s > 0 ? s : -s;
    out[d] = span > 0 ? (span + step - 1) / step : 0;
    const int64_t last = b + (out[d] - 1) * s;
    if (out[d] > 0 && (b < 0 || b >= n || last < 0 || last >= n))
      fail("slice [" + std::to_string(b) + ":" + std::to_string(e) + ":" + std::to_string(s) +
           "] leaves dimension " + std::to_string(d) + " of extent " + std::to_string(n));
    if (out[d] > 0) base += b * in_strides[d];
    strides[d] = s * in_strides[d];
  }
  check_output_dims(output_dims, out);
  return add_node("odla_Slice", {x}, TensorType{x->type.dtype, out}, id,
                  strided_copy_kernel(element_size(x->type.dtype),
                                      BroadcastLoop::with_strides(out, {strides}), base));
}

// Input index that output index j of a padded dimension reads (-1: constant).
int64_t pad_source(int64_t j, int64_t front, int64_t n, odla_pad_mode mode) {
  int64_t i = j - front;
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case ODLA_PAD_EDGE: return i < 0 ? 0 : n - 1;
    case ODLA_PAD_WRAP: return ((i % n) + n) % n;
    case ODLA_PAD_REFLECT: {
      if (n == 1) return 0;
      const int64_t period = 2 * (n - 1);
      i = ((i % period) + period) % period;
      return i < n ? i : period - i;
    }
    default: return -1;
  }
}

odla_value build_pad(odla_value input, const odla_uint32* front, const odla_uint32* back,
                     odla_pad_mode mode, float constant, const odla_value_shape& output_dims,
                     const odla_value_id id) {
  odla_value x = operand(input, "input");
  const int rank = x->type.rank();
  if (rank != 0 && (front == nullptr || back == nullptr)) fail("paddings must not be NULL");
  if (mode < ODLA_PAD_CONSTANT || mode > ODLA_PAD_WRAP) fail("unknown pad mode");
  IndexMap map;
  map.in_strides = dense_strides(x->type.dims);
  for (int d = 0; d < rank; ++d) {
    const int64_t n = x->type.dims[d];
    const bool padded = front[d] != 0 || back[d] != 0;
    if (padded && n == 0 && mode != ODLA_PAD_CONSTANT)
      fail("cannot pad an empty dimension in this mode");
    if (mode == ODLA_PAD_REFLECT && (front[d] >= n || back[d] >= n) && padded && n > 1)
      fail("reflect padding must be smaller than the dimension");
    map.out_dims.push_back(front[d] + n + back[d]);
    std::vector<int64_t> m(map.out_dims.back());
    for (int64_t j = 0; j < static_cast<int64_t>(m.size()); ++j) m[j] = pad_source(j, front[d], n, mode);
    map.maps.push_back(std::move(m));
  }
  const Dims out = map.out_dims;
  check_output_dims(output_dims, out);
  std::vector<unsigned char> fill(element_size(x->type.dtype));
  visit_dtype(x->type.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = from_double<T>(constant);
    std::memcpy(fill.data(), &v, sizeof(T));
  });
  return add_node("odla_Pad", {x}, TensorType{x->type.dtype, out}, id,
                  index_map_kernel(element_size(x->type.dtype), std::move(map), std::move(fill)));
}

odla_value build_concat(const odla_values& values, int axis, const odla_value_shape& output_dims,
                        const odla_value_id id) {
  if (values.size == 0 || values.size > ODLA_MAX_OUTPUTS) fail("inputs.size must be 1..64");
  std::vector<odla_value> inputs;
  for (size_t i = 0; i < values.size; ++i) inputs.push_back(operand(values.values[i], "inputs"));
  const TensorType& first = inputs[0]->type;
  const int a = normalize_axis(axis, first.rank(), "axis");
  Dims out = first.dims;
  out[a] = 0;
  std::vector<int64_t> chunk_bytes;  // bytes each input contributes per outer index
  const size_t esize = element_size(first.dtype);
  for (odla_value v : inputs) {
    const Dims& d = v->type.dims;
    bool fits = v->type.dtype == first.dtype && d.size() == first.dims.size();
    for (size_t k = 0; fits && k < d.size(); ++k) fits = static_cast<int>(k) == a || d[k] == first.dims[k];
    if (!fits) fail("cannot concatenate " + type_str(v->type) + " with " + type_str(first));
    out[a] += d[a];
    chunk_bytes.push_back(split_at_axis(d, a).inner * d[a] * static_cast<int64_t>(esize));
  }
  check_output_dims(output_dims, out);
  const int64_t outer = split_at_axis(out, a).outer;
  int64_t row_bytes = 0;
  for (int64_t c : chunk_bytes) row_bytes += c;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(1, row_bytes));
  Kernel k = [chunk_bytes, outer, row_bytes, grain](const KernelIO& io) {
    char* dst = io.output<char>(0);
    odla_ref::parallel_for(outer, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        char* p = dst + o * row_bytes;
        for (size_t i = 0; i < chunk_bytes.size(); ++i) {
          std::memcpy(p, io.input<char>(static_cast<int>(i)) + o * chunk_bytes[i],
                      static_cast<size_t>(chunk_bytes[i]));
          p += chunk_bytes[i];
        }
      }
    }, grain);
  };
  return add_node("odla_Concat", std::move(inputs), TensorType{first.dtype, out}, id, std::move(k));
}

}  // namespace
}  // namespace odla_rt

using odla_rt::guard_build;

extern "C" {

odla_value odla_Slice(odla_value input, const odla_int32* start, const odla_int32* end,
                      const odla_int32* stride, odla_value_shape output_dims,
                      const odla_value_id id) {
  return guard_build(__func__, [&] {
    return odla_rt::build_slice(input, start, end, stride, output_dims, id);
  });
}

odla_value odla_Pad(odla_value input, const odla_uint32* padding_front,
                    const odla_uint32* padding_back, odla_pad_mode mode,
                    odla_float32 constant_value, odla_value_shape output_dims,
                    const odla_value_id id) {
  return guard_build(__func__, [&] {
    return odla_rt::build_pad(input, padding_front, padding_back, mode, constant_value,
                              output_dims, id);
  });
}

odla_value odla_Concat(odla_values inputs, odla_int32 axis, odla_value_shape output_shape,
                       const odla_value_id id) {
  return guard_build(__func__, [&] { return odla_rt::build_concat(inputs, axis, output_shape, id); });
}

}  // extern "C"
