// Cases for resize (see test_resize.h).
#pragma once

#include "test_resize.h"

namespace kt {

inline void test_resize_documented() {
  const std::vector<float> x22 = {1, 2, 3, 4}, x24 = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<float> x44(16);
  for (int i = 0; i < 16; ++i) x44[i] = static_cast<float>(i + 1);
  expect_resize("resize doc upsample linear", resize_params({1, 1, 2, 2}, {1, 1, 4, 4}, {}, ResizeMode::kLinear, CoordMode::kHalfPixel), x22,
                {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4}, 1e-6f);
  const float t = 1.f / 3, u = 2.f / 3;
  expect_resize("resize doc upsample linear align_corners", resize_params({1, 1, 2, 2}, {1, 1, 4, 4}, {}, ResizeMode::kLinear, CoordMode::kAlignCorners), x22,
                {1, 1 + t, 1 + u, 2, 1 + u, 2, 2 + t, 2 + u, 2 + t, 2 + u, 3, 3 + t, 3, 3 + t, 3 + u, 4}, 1e-5f);
  expect_resize("resize doc downsample linear", resize_params({1, 1, 2, 4}, {1, 1, 1, 2}, {1, 1, 0.6f, 0.6f}, ResizeMode::kLinear, CoordMode::kHalfPixel), x24,
                {2.6666665f, 4.3333331f}, 1e-5f);
  expect_resize("resize doc downsample linear align_corners", resize_params({1, 1, 2, 4}, {1, 1, 1, 2}, {1, 1, 0.6f, 0.6f}, ResizeMode::kLinear, CoordMode::kAlignCorners), x24,
                {1, 3.142857f}, 1e-5f);
  expect_resize("resize doc downsample nearest", resize_params({1, 1, 2, 4}, {1, 1, 1, 2}, {1, 1, 0.6f, 0.6f}, ResizeMode::kNearest, CoordMode::kHalfPixel), x24,
                {1, 3}, 0.f);
  expect_resize("resize doc upsample nearest", resize_params({1, 1, 2, 2}, {1, 1, 4, 6}, {}, ResizeMode::kNearest, CoordMode::kHalfPixel), x22,
                {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}, 0.f);
  ResizeParams cubic = resize_params({1, 1, 4, 4}, {1, 1, 8, 8}, {}, ResizeMode::kCubic, CoordMode::kHalfPixel);
  std::vector<float> y(64);
  odla_ref::resize(cubic, x44.data(), y.data());
  y.resize(8);
  expect_close("resize doc upsample cubic (row 0)", y,
               {0.47265625f, 0.76953125f, 1.24609375f, 1.875f, 2.28125f, 2.91015625f, 3.38671875f, 3.68359375f}, 1e-5f);
}

inline void test_resize_random() {
  const CoordMode coords[] = {CoordMode::kHalfPixel, CoordMode::kHalfPixelSymmetric, CoordMode::kPytorchHalfPixel,
                              CoordMode::kAlignCorners, CoordMode::kAsymmetric, CoordMode::kTfHalfPixelForNN};
  const NearestMode nearest[] = {NearestMode::kRoundPreferFloor, NearestMode::kRoundPreferCeil,
                                 NearestMode::kFloor, NearestMode::kCeil};
  struct Shape { std::vector<int64_t> in, out; std::vector<float> scales; };
  const std::vector<Shape> shapes = {
      {{2, 2, 5, 7}, {2, 2, 10, 21}, {}}, {{1, 3, 9, 8}, {1, 3, 4, 5}, {}},
      {{1, 2, 5, 6}, {1, 2, 7, 1}, {1, 1, 1.5f, 0.2f}},  // explicit scales != out/in
      {{3, 4, 5}, {5, 2, 9}, {}},                         // every axis changes
      {{6, 4}, {6, 11}, {}}};
  uint32_t seed = 1300;
  for (const Shape& s : shapes) {
    const auto x = random_vec(static_cast<size_t>(product(s.in.data(), static_cast<int>(s.in.size()))), seed++);
    for (CoordMode c : coords) {
      for (ResizeMode m : {ResizeMode::kNearest, ResizeMode::kLinear, ResizeMode::kCubic}) {
        for (int variant = 0; variant < 4; ++variant) {
          ResizeParams p = resize_params(s.in, s.out, s.scales, m, c);
          if (m == ResizeMode::kNearest) p.nearest = nearest[variant];
          if (m != ResizeMode::kNearest && variant >= 2) continue;
          p.exclude_outside = m == ResizeMode::kCubic && variant == 1;
          p.cubic_a = variant == 1 ? -0.5f : -0.75f;
          const std::string name = "resize mode=" + std::to_string(static_cast<int>(m)) + " coord=" +
                                   std::to_string(static_cast<int>(c)) + " variant=" + std::to_string(variant) +
                                   " rank=" + std::to_string(p.rank) + " seed=" + std::to_string(seed);
          expect_resize(name, p, x, naive_resize(p, x), 1e-5f);
        }
      }
    }
  }
  const float roi[] = {0, 0, 0.2f, -0.1f, 1, 1, 0.9f, 1.3f};
  for (ResizeMode m : {ResizeMode::kNearest, ResizeMode::kLinear, ResizeMode::kCubic}) {
    ResizeParams p = resize_params({1, 2, 6, 5}, {1, 2, 4, 7}, {}, m, CoordMode::kTfCropAndResize);
    p.roi = roi;
    p.extrapolation_value = 7.5f;
    const auto x = random_vec(60, seed++);
    expect_resize("resize tf_crop_and_resize mode=" + std::to_string(static_cast<int>(m)), p, x, naive_resize(p, x), 1e-5f);
  }
}

inline void test_resize() {
  test_resize_documented();
  test_resize_random();
}

}  // namespace kt
