// Index-driven data movement: Gather, GatherElements, GatherND, OneHot.
// Indices are read at execution time; out-of-range indices fail the
// execution with a message instead of reading out of bounds.
#include <cstring>
#include <stdexcept>
#include <string>

#include "builder.h"
#include "indexing.h"
#include "kernels/parallel.h"

namespace odla_rt {

// Reads index i of an int32 / int64 tensor and normalizes it to [0, n).
int64_t read_index(const void* data, bool is64, int64_t i, int64_t n) {
  int64_t k = is64 ? static_cast<const int64_t*>(data)[i] : static_cast<const int32_t*>(data)[i];
  if (k < 0) k += n;
  if (k < 0 || k >= n)
    throw std::out_of_range("index " + std::to_string(k) + " is out of range for extent " +
                            std::to_string(n));
  return k;
}

odla_value index_operand(odla_value v) {
  odla_value idx = operand(v, "indices");
  if (idx->type.dtype != ODLA_INT32 && idx->type.dtype != ODLA_INT64)
    fail("indices must be int32 or int64, got " + type_str(idx->type));
  return idx;
}

namespace {

odla_value build_gather(odla_value input, odla_value indices, int axis,
                        const odla_value_shape& output_dims, const odla_value_id id) {
  odla_value x = operand(input, "input");
  odla_value idx = index_operand(indices);
  const int a = normalize_axis(axis, x->type.rank(), "axis");
  const Dims& xd = x->type.dims;
  Dims out(xd.begin(), xd.begin() + a);
  out.insert(out.end(), idx->type.dims.begin(), idx->type.dims.end());
  out.insert(out.end(), xd.begin() + a + 1, xd.end());
  check_output_dims(output_dims, out);
  const AxisSplit s = split_at_axis(xd, a);
  const int64_t row = s.inner * static_cast<int64_t>(element_size(x->type.dtype));
  const int64_t count = idx->type.numel();
  const bool is64 = idx->type.dtype == ODLA_INT64;
  Kernel k = [s, row, count, is64](const KernelIO& io) {
    const char* src = io.input<char>(0);
    char* dst = io.output<char>(0);
    odla_ref::parallel_for(s.outer * count, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t o = r / count, i = r % count;
        const int64_t j = read_index(io.in[1], is64, i, s.axis_len);
        std::memcpy(dst + r * row, src + (o * s.axis_len + j) * row, static_cast<size_t>(row));
      }
    }, std::max<int64_t>(1, 4096 / std::max<int64_t>(row, 1)));
  };
  return add_node("odla_Gather", {x, idx}, TensorType{x->type.dtype, out}, id, std::move(k));
}

odla_value build_gather_elements(odla_value input, odla_value indices, int axis,
                                 const odla_value_shape& output_dims, const odla_value_id id) {
  odla_value x = operand(input, "input");
  odla_value idx = index_operand(indices);
  const int a = normalize_axis(axis, x->type.rank(), "axis");
  const Dims& id_dims = idx->type.dims;
  if (id_dims.size() != x->type.dims.size()) fail("indices must have the input's rank");
  for (size_t d = 0; d < id_dims.size(); ++d)
    if (static_cast<int>(d) != a && id_dims[d] > x->type.dims[d])
      fail("indices " + dims_str(id_dims) + " exceed input " + dims_str(x->type.dims));
  check_output_dims(output_dims, id_dims);
  const Dims x_strides = dense_strides(x->type.dims);
  const int64_t n = x->type.dims[a];
  const bool is64 = idx->type.dtype == ODLA_INT64;
  Kernel k = visit_size(element_size(x->type.dtype), [&](auto tag) -> Kernel {
    using E = typename decltype(tag)::type;
    return [id_dims, x_strides, a, n, is64](const KernelIO& io) {
      const E* src = io.input<E>(0);
      E* dst = io.output<E>(0);
      const int64_t total = num_elements(id_dims);
      odla_ref::parallel_for(total, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          int64_t rest = i, offset = 0;
          for (size_t d = id_dims.size(); d-- > 0;) {
            const int64_t c = rest % id_dims[d];
            rest /= id_dims[d];
            if (static_cast<int>(d) != a) offset += c * x_strides[d];
          }
          dst[i] = src[offset + read_index(io.in[1], is64, i, n) * x_strides[a]];
        }
      }, 4096);
    };
  });
  return add_node("odla_GatherElements", {x, idx}, TensorType{x->type.dtype, id_dims}, id,
                  std::move(k));
}

odla_value build_gather_nd(odla_value input, odla_value indices, int batch_dims,
                           const odla_value_shape& output_dims, const odla_value_id id) {
  odla_value x = operand(input, "input");
  odla_value idx = index_operand(indices);
  const Dims& xd = x->type.dims;
  const Dims& id_dims = idx->type.dims;
  const int b = batch_dims, q = static_cast<int>(id_dims.size()), r = x->type.rank();
  if (b < 0 || q < 1 || b >= q || b > r) fail("num_batch_dims is out of range");
  const int64_t depth = id_dims.back();
  if (depth < 1 || b + depth > r) fail("the last indices dimension exceeds the input rank");
  for (int d = 0; d < b; ++d)
    if (id_dims[d] != xd[d]) fail("batch dimensions of input and indices differ");
  Dims out(id_dims.begin(), id_dims.end() - 1);
  out.insert(out.end(), xd.begin() + b + depth, xd.end());
  check_output_dims(output_dims, out);
  const Dims x_strides = dense_strides(xd);
  const int64_t batches = num_elements(Dims(xd.begin(), xd.begin() + b));
  const int64_t tuples = num_elements(Dims(id_dims.begin(), id_dims.end() - 1));
  const int64_t per_batch = batches == 0 ? 0 : tuples / batches;
  const int64_t batch_stride = b == 0 ? 0 : x_strides[b - 1];
  const size_t esize = element_size(x->type.dtype);
  const int64_t slice = num_elements(Dims(xd.begin() + b + depth, xd.end()));
  const bool is64 = idx->type.dtype == ODLA_INT64;
  Kernel k = [=](const KernelIO& io) {
    const char* src = io.input<char>(0);
    char* dst = io.output<char>(0);
    odla_ref::parallel_for(tuples, [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        int64_t offset = (t / per_batch) * batch_stride;
        for (int64_t j = 0; j < depth; ++j)
          offset += read_index(io.in[1], is64, t * depth + j, xd[b + j]) * x_strides[b + j];
        std::memcpy(dst + t * slice * esize, src + offset * esize, slice * esize);
      }
    }, 256);
  };
  return add_node("odla_GatherND", {x, idx}, TensorType{x->type.dtype, out}, id, std::move(k));
}

odla_value build_one_hot(odla_value indices, int depth, odla_value values, int axis,
                         const odla_value_shape& output_dims, const odla_value_id id) {
  odla_value idx = operand(indices, "indices");
  odla_value val = operand(values, "values");
  if (depth < 1) fail("depth must be >= 1");
  if (val->type.numel() != 2) fail("values must hold {off_value, on_value}");
  const int a = normalize_axis(axis, idx->type.rank() + 1, "axis");
  Dims out = idx->type.dims;
  out.insert(out.begin() + a, depth);
  check_output_dims(output_dims, out);
  const AxisSplit s = split_at_axis(out, a);
  Kernel k = visit_dtype(idx->type.dtype, [&](auto itag) -> Kernel {
    using I = typename decltype(itag)::type;
    if constexpr (kIsNumeric<I>) {
      return visit_size(element_size(val->type.dtype), [&](auto vtag) -> Kernel {
        using E = typename decltype(vtag)::type;
        return [s](const KernelIO& io) {
          const I* ind = io.input<I>(0);
          const E off = io.input<E>(1)[0], on = io.input<E>(1)[1];
          E* y = io.output<E>(0);
          for (int64_t o = 0; o < s.outer; ++o)
            for (int64_t i = 0; i < s.inner; ++i) {
              int64_t c = static_cast<int64_t>(to_double(ind[o * s.inner + i]));
              if (c < 0) c += s.axis_len;
              for (int64_t d = 0; d < s.axis_len; ++d)
                y[(o * s.axis_len + d) * s.inner + i] = d == c ? on : off;
            }
        };
      });
    } else {
      fail("indices must be numeric");
    }
  });
  return add_node("odla_OneHot", {idx, val}, TensorType{val->type.dtype, out}, id, std::move(k));
}

}  // namespace
}  // namespace odla_rt

using odla_rt::guard_build;

extern "C" {

odla_value odla_Gather(odla_value input, odla_value indices, odla_int32 axis,
                       odla_value_shape output_dims, const odla_value_id id) {
  return guard_build(__func__, [&] {
    return odla_rt::build_gather(input, indices, axis, output_dims, id);
  });
}

odla_value odla_GatherElements(odla_value input, odla_value indices, odla_int32 axis,
                               odla_value_shape output_dims, const odla_value_id id) {
  return guard_build(__func__, [&] {
    return odla_rt::build_gather_elements(input, indices, axis, output_dims, id);
  });
}

odla_value odla_GatherND(odla_value input, odla_value indices, odla_int32 num_batch_dims,
                         odla_value_shape output_dims, const odla_value_id id) {
  return guard_build(__func__, [&] {
    return odla_rt::build_gather_nd(input, indices, num_batch_dims, output_dims, id);
  });
}

odla_value odla_OneHot(odla_value indices, odla_int32 depth, odla_value values, odla_int32 axis,
                       odla_value_shape output_dims, const odla_value_id id) {
  return guard_build(__func__, [&] {
    return odla_rt::build_one_hot(indices, depth, values, axis, output_dims, id);
  });
}

}  // extern "C"
