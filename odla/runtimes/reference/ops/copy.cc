#include "copy.h"

#include <cstring>

#include "kernels/parallel.h"

namespace odla_rt {
namespace {

constexpr int64_t kCopyGrain = 1 << 16;

template <class E>
void strided_copy(const BroadcastLoop& loop, const E* src, E* dst) {
  odla_ref::parallel_for(loop.size(), [&](int64_t begin, int64_t end) {
    loop.for_rows(begin, end, [&](int64_t pos, int64_t len, const int64_t* off, const int64_t* st) {
      const E* s = src + off[0];
      E* d = dst + pos;
      if (st[0] == 1) {
        std::memcpy(d, s, static_cast<size_t>(len) * sizeof(E));
      } else {
        const int64_t step = st[0];
        for (int64_t j = 0; j < len; ++j) d[j] = s[j * step];
      }
    });
  }, kCopyGrain);
}

template <class E>
void index_map_copy(const IndexMap& m, const E* src, E* dst, E fill) {
  const int r = static_cast<int>(m.out_dims.size());
  if (r == 0) {
    dst[0] = src[0];
    return;
  }
  const int64_t inner = m.out_dims[r - 1];
  const int64_t rows = inner == 0 ? 0 : num_elements(m.out_dims) / inner;
  const std::vector<int64_t>& last = m.maps[r - 1];
  const int64_t last_stride = m.in_strides[r - 1];
  odla_ref::parallel_for(rows, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      E* d = dst + row * inner;
      int64_t offset = 0, rest = row;
      bool filled = false;
      for (int k = r - 2; k >= 0; --k) {
        const int64_t idx = m.maps[k][rest % m.out_dims[k]];
        rest /= m.out_dims[k];
        filled = filled || idx < 0;
        offset += idx * m.in_strides[k];
      }
      for (int64_t j = 0; j < inner; ++j)
        d[j] = (filled || last[j] < 0) ? fill : src[offset + last[j] * last_stride];
    }
  }, std::max<int64_t>(1, kCopyGrain / std::max<int64_t>(inner, 1)));
}

}  // namespace

Kernel strided_copy_kernel(size_t element_size, BroadcastLoop loop, int64_t base) {
  auto shared = std::make_shared<const BroadcastLoop>(std::move(loop));
  return visit_size(element_size, [&](auto tag) -> Kernel {
    using E = typename decltype(tag)::type;
    return [shared, base](const KernelIO& io) {
      strided_copy(*shared, io.input<E>(0) + base, io.output<E>(0));
    };
  });
}

Kernel index_map_kernel(size_t element_size, IndexMap map, std::vector<unsigned char> fill) {
  auto shared = std::make_shared<const IndexMap>(std::move(map));
  return visit_size(element_size, [&](auto tag) -> Kernel {
    using E = typename decltype(tag)::type;
    E value{};
    if (fill.size() == sizeof(E)) std::memcpy(&value, fill.data(), sizeof(E));
    return [shared, value](const KernelIO& io) {
      index_map_copy(*shared, io.input<E>(0), io.output<E>(0), value);
    };
  });
}

}  // namespace odla_rt
