// HALO extensions (odla_ops_ext.h): odla_GridSample and odla_RoiAlign. Both
// read positions from tensors at execution time; the arithmetic follows the
// ONNX definitions (float coordinates for GridSample, double for RoiAlign).
#include <ODLA/ops/odla_ops_ext.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "builder.h"
#include "indexing.h"
#include "kernels/parallel.h"

namespace odla_rt {
namespace {

// Mirrors x into [lo, hi] by reflecting at the nearer border (repeatedly).
double reflect(double x, double lo, double hi) {
  const double span = hi - lo;
  if (x >= lo && x <= hi) return x;
  const double d = x < lo ? lo - x : x - hi;
  const double k = span > 0 ? std::floor(d / span) : 0.0;
  const double r = d - k * span;
  const bool even = std::fmod(k, 2.0) == 0.0;
  if (x < lo) return even ? lo + r : hi - r;
  return even ? hi - r : lo + r;
}

void cubic_weights(float f, float* w) {
  const float a = -0.75f;
  auto near = [a](float t) { return ((a + 2) * t - (a + 3)) * t * t + 1; };
  auto far = [a](float t) { return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a; };
  w[0] = far(f + 1);
  w[1] = near(f);
  w[2] = near(1 - f);
  w[3] = far(2 - f);
}

struct GridGeometry {
  int rank;
  Dims dims;     // spatial input extents
  int64_t outs;  // output positions per batch entry
  int64_t plane; // input elements per channel
  odla_interpolation_mode mode;
  odla_grid_padding padding;
  bool align;
};

// The taps of one output position: flat offsets into a channel plane and weights.
void grid_taps(const GridGeometry& g, const double* coords, std::vector<std::pair<int64_t, double>>& taps) {
  int64_t idx[ODLA_MAX_DIMENSION][4];
  float w[ODLA_MAX_DIMENSION][4];
  bool ok[ODLA_MAX_DIMENSION][4];
  int count[ODLA_MAX_DIMENSION];
  for (int i = 0; i < g.rank; ++i) {
    const int64_t size = g.dims[i];
    const float v = static_cast<float>(coords[g.rank - 1 - i]);  // innermost first
    float c = g.align ? (v + 1.f) / 2.f * static_cast<float>(size - 1)
                      : ((v + 1.f) * static_cast<float>(size) - 1.f) / 2.f;
    const double lo = g.align ? 0.0 : -0.5, hi = g.align ? size - 1.0 : size - 0.5;
    if (g.mode == ODLA_NEAREST) c = std::nearbyint(c);
    if (c < lo || c > hi) {
      if (g.padding == ODLA_GRID_PAD_BORDER)
        c = std::min(std::max(c, 0.f), static_cast<float>(size - 1));
      else if (g.padding == ODLA_GRID_PAD_REFLECTION)
        c = static_cast<float>(reflect(c, lo, hi));
    }
    if (g.mode == ODLA_NEAREST) {
      count[i] = 1;
      idx[i][0] = static_cast<int64_t>(c);
      w[i][0] = 1.f;
    } else {
      const float base = std::floor(c), f = c - base;
      const int first = g.mode == ODLA_LINEAR ? 0 : -1;
      count[i] = g.mode == ODLA_LINEAR ? 2 : 4;
      for (int k = 0; k < count[i]; ++k) idx[i][k] = static_cast<int64_t>(base) + first + k;
      if (g.mode == ODLA_LINEAR) {
        w[i][0] = 1.f - f;
        w[i][1] = f;
      } else {
        cubic_weights(f, w[i]);
      }
    }
    for (int k = 0; k < count[i]; ++k) {
      int64_t& t = idx[i][k];
      ok[i][k] = true;
      if (g.padding == ODLA_GRID_PAD_ZEROS) {
        ok[i][k] = t >= 0 && t < size;
      } else if (g.padding == ODLA_GRID_PAD_BORDER) {
        t = std::min<int64_t>(std::max<int64_t>(t, 0), size - 1);
      } else {
        t = static_cast<int64_t>(std::trunc(reflect(static_cast<double>(t), lo, hi)));
        t = std::min<int64_t>(std::max<int64_t>(t, 0), size - 1);
      }
    }
  }
  taps.clear();
  int digit[ODLA_MAX_DIMENSION] = {0};
  for (;;) {
    double weight = 1.0;
    int64_t offset = 0;
    bool inside = true;
    for (int i = 0; i < g.rank; ++i) {
      weight *= w[i][digit[i]];
      inside = inside && ok[i][digit[i]];
      offset = offset * g.dims[i] + idx[i][digit[i]];
    }
    if (inside) taps.emplace_back(offset, weight);
    int i = g.rank - 1;
    while (i >= 0 && ++digit[i] == count[i]) digit[i--] = 0;
    if (i < 0) break;
  }
}

odla_value build_grid_sample(odla_value input, odla_value grid, odla_interpolation_mode mode,
                             odla_grid_padding padding, bool align,
                             const odla_value_shape& output_dims, const odla_value_id id) {
  odla_value x = operand(input, "input");
  odla_value gr = operand(grid, "grid");
  const Dims& xd = x->type.dims;
  const Dims& gd = gr->type.dims;
  const int r = x->type.rank() - 2;
  if (r < 1 || static_cast<int>(gd.size()) != r + 2 || gd[0] != xd[0] || gd.back() != r)
    fail("grid " + type_str(gr->type) + " does not fit input " + type_str(x->type));
  if (mode < ODLA_NEAREST || mode > ODLA_CUBIC) fail("unknown interpolation mode");
  if (padding < ODLA_GRID_PAD_ZEROS || padding > ODLA_GRID_PAD_REFLECTION) fail("unknown padding");
  Dims out = {xd[0], xd[1]};
  out.insert(out.end(), gd.begin() + 1, gd.end() - 1);
  check_output_dims(output_dims, out);
  GridGeometry g{r, Dims(xd.begin() + 2, xd.end()), num_elements(out) / std::max<int64_t>(xd[0] * xd[1], 1),
                 num_elements(Dims(xd.begin() + 2, xd.end())), mode, padding, align};
  const int64_t batch = xd[0], channels = xd[1];
  return visit_dtype(x->type.dtype, [&](auto tag) -> odla_value {
    using T = typename decltype(tag)::type;
    if constexpr (kIsFloat<T>) {
      if (gr->type.dtype != x->type.dtype) fail("grid must have the input's type");
      Kernel k = [g, batch, channels](const KernelIO& io) {
        const T* x = io.input<T>(0);
        const T* grid = io.input<T>(1);
        T* y = io.output<T>(0);
        odla_ref::parallel_for(batch * g.outs, [&](int64_t begin, int64_t end) {
          std::vector<std::pair<int64_t, double>> taps;
          double coords[ODLA_MAX_DIMENSION];
          for (int64_t p = begin; p < end; ++p) {
            const int64_t n = p / g.outs, o = p % g.outs;
            for (int i = 0; i < g.rank; ++i) coords[i] = to_double(grid[p * g.rank + i]);
            grid_taps(g, coords, taps);
            for (int64_t c = 0; c < channels; ++c) {
              const T* plane = x + (n * channels + c) * g.plane;
              double acc = 0.0;
              for (const auto& t : taps) acc += t.second * to_double(plane[t.first]);
              y[(n * channels + c) * g.outs + o] = from_double<T>(acc);
            }
          }
        }, 64);
      };
      return add_node("odla_GridSample", {x, gr}, TensorType{x->type.dtype, out}, id, std::move(k));
    } else {
      fail("odla_GridSample needs a float type, got " + type_str(x->type));
    }
  });
}

struct RoiParams {
  bool max_mode, half_pixel;
  int64_t oh, ow, ratio, channels, height, width, batch;
  double scale;
};

// The four corner positions and bilinear weights of one sample at (y, x);
// all zero outside the map.
void corner_terms(const RoiParams& p, double y, double x, int64_t (&pos)[4], double (&w)[4]) {
  if (y < -1.0 || y > p.height || x < -1.0 || x > p.width) {
    for (int k = 0; k < 4; ++k) pos[k] = 0, w[k] = 0.0;
    return;
  }
  y = std::max(y, 0.0);
  x = std::max(x, 0.0);
  int64_t yl = static_cast<int64_t>(y), xl = static_cast<int64_t>(x), yh, xh;
  if (yl >= p.height - 1) {
    yl = yh = p.height - 1;
    y = static_cast<double>(yl);
  } else {
    yh = yl + 1;
  }
  if (xl >= p.width - 1) {
    xl = xh = p.width - 1;
    x = static_cast<double>(xl);
  } else {
    xh = xl + 1;
  }
  const double ly = y - yl, lx = x - xl, hy = 1.0 - ly, hx = 1.0 - lx;
  pos[0] = yl * p.width + xl, pos[1] = yl * p.width + xh;
  pos[2] = yh * p.width + xl, pos[3] = yh * p.width + xh;
  w[0] = hy * hx, w[1] = hy * lx, w[2] = ly * hx, w[3] = ly * lx;
}

template <class T>
void roi_align_one(const RoiParams& p, const T* x, const T* roi, int64_t b, T* y) {
  const double shift = p.half_pixel ? 0.5 : 0.0;
  const double x0 = to_double(roi[0]) * p.scale - shift, y0 = to_double(roi[1]) * p.scale - shift;
  double rw = to_double(roi[2]) * p.scale - shift - x0, rh = to_double(roi[3]) * p.scale - shift - y0;
  if (!p.half_pixel) rw = std::max(rw, 1.0), rh = std::max(rh, 1.0);
  const double bh = rh / p.oh, bw = rw / p.ow;
  const int64_t gh = p.ratio > 0 ? p.ratio : static_cast<int64_t>(std::ceil(rh / p.oh));
  const int64_t gw = p.ratio > 0 ? p.ratio : static_cast<int64_t>(std::ceil(rw / p.ow));
  const int64_t plane = p.height * p.width;
  int64_t pos[4];
  double w[4];
  for (int64_t ph = 0; ph < p.oh; ++ph)
    for (int64_t pw = 0; pw < p.ow; ++pw)
      for (int64_t c = 0; c < p.channels; ++c) {
        const T* src = x + (b * p.channels + c) * plane;
        double acc = 0.0;
        bool first = true;
        for (int64_t iy = 0; iy < gh; ++iy)
          for (int64_t ix = 0; ix < gw; ++ix) {
            corner_terms(p, y0 + ph * bh + (iy + 0.5) * bh / gh, x0 + pw * bw + (ix + 0.5) * bw / gw,
                         pos, w);
            if (!p.max_mode) {
              for (int k = 0; k < 4; ++k) acc += w[k] * to_double(src[pos[k]]);
              continue;
            }
            double v = w[0] * to_double(src[pos[0]]);
            for (int k = 1; k < 4; ++k) v = std::max(v, w[k] * to_double(src[pos[k]]));
            acc = first ? v : std::max(acc, v);
            first = false;
          }
        if (!p.max_mode) acc /= static_cast<double>(std::max<int64_t>(gh * gw, 1));
        y[(c * p.oh + ph) * p.ow + pw] = from_double<T>(acc);
      }
}

odla_value build_roi_align(odla_value input, odla_value rois, odla_value batch_indices,
                           const RoiParams& params, const odla_value_shape& output_dims,
                           const odla_value_id id) {
  odla_value x = operand(input, "input");
  odla_value r = operand(rois, "rois");
  odla_value idx = index_operand(batch_indices);
  const Dims& xd = x->type.dims;
  if (x->type.rank() != 4 || r->type.rank() != 2 || r->type.dims[1] != 4 ||
      idx->type.dims != Dims{r->type.dims[0]} || r->type.dtype != x->type.dtype)
    fail("odla_RoiAlign needs NCHW input, rois [R, 4] of its type and batch_indices [R]");
  RoiParams p = params;
  p.batch = xd[0], p.channels = xd[1], p.height = xd[2], p.width = xd[3];
  const int64_t count = r->type.dims[0];
  const Dims out = {count, p.channels, p.oh, p.ow};
  check_output_dims(output_dims, out);
  const bool is64 = idx->type.dtype == ODLA_INT64;
  return visit_dtype(x->type.dtype, [&](auto tag) -> odla_value {
    using T = typename decltype(tag)::type;
    if constexpr (kIsFloat<T>) {
      Kernel k = [p, count, is64](const KernelIO& io) {
        const int64_t per_roi = p.channels * p.oh * p.ow;
        odla_ref::parallel_for(count, [&](int64_t begin, int64_t end) {
          for (int64_t n = begin; n < end; ++n)
            roi_align_one<T>(p, io.input<T>(0), io.input<T>(1) + 4 * n,
                             read_index(io.in[2], is64, n, p.batch), io.output<T>(0) + n * per_roi);
        });
      };
      return add_node("odla_RoiAlign", {x, r, idx}, TensorType{x->type.dtype, out}, id, std::move(k));
    } else {
      fail("odla_RoiAlign needs a float type, got " + type_str(x->type));
    }
  });
}

}  // namespace
}  // namespace odla_rt

extern "C" {

odla_value odla_GridSample(odla_value input, odla_value grid, odla_interpolation_mode mode,
                           odla_grid_padding padding, odla_bool align_corners,
                           odla_value_shape output_dims, const odla_value_id value_id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_grid_sample(input, grid, mode, padding, align_corners != 0, output_dims,
                                      value_id);
  });
}

odla_value odla_RoiAlign(odla_value input, odla_value rois, odla_value batch_indices,
                         odla_bool max_mode, odla_uint32 output_height, odla_uint32 output_width,
                         odla_uint32 sampling_ratio, odla_float32 spatial_scale,
                         odla_bool half_pixel, odla_value_shape output_dims,
                         const odla_value_id value_id) {
  return odla_rt::guard_build(__func__, [&] {
    if (output_height == 0 || output_width == 0) odla_rt::fail("output size must be positive");
    odla_rt::RoiParams p{max_mode != 0, half_pixel != 0, output_height, output_width,
                         sampling_ratio, 0, 0, 0, 0, spatial_scale};
    return odla_rt::build_roi_align(input, rois, batch_indices, p, output_dims, value_id);
  });
}

}  // extern "C"
