#include "decode.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <numeric>
#include <sstream>

bool ReadMeta(const std::string& path, Meta* meta, std::string* error) {
  std::ifstream file(path);
  if (!file) {
    *error = "cannot open the detector description " + path;
    return false;
  }
  std::string line;
  while (std::getline(file, line)) {
    std::istringstream words(line.substr(0, line.find('#')));
    std::string key;
    if (!(words >> key)) continue;
    if (key == "classes") {
      for (std::string name; words >> name;) meta->classes.push_back(name);
    } else if (key == "score") {
      words >> meta->score;
    } else if (key == "head") {
      Head head;
      words >> head.stride;
      for (std::string pair; words >> pair;) {
        const std::size_t comma = pair.find(',');
        if (comma == std::string::npos) {
          *error = path + ": anchor '" + pair + "' is not WIDTH,HEIGHT";
          return false;
        }
        head.anchors.emplace_back(std::stof(pair.substr(0, comma)),
                                  std::stof(pair.substr(comma + 1)));
      }
      if (head.stride <= 0 || head.anchors.empty()) {
        *error = path + ": a head line needs a stride and anchors";
        return false;
      }
      meta->heads.push_back(head);
    } else {
      *error = path + ": unknown key '" + key + "'";
      return false;
    }
  }
  if (meta->classes.empty() || meta->heads.empty()) {
    *error = path + " names no classes or no heads";
    return false;
  }
  return true;
}

std::vector<float> LetterboxImage(const Image& image, int size, Letterbox* box) {
  const int w = image.width;
  const int h = image.height;
  const float scale = std::min(static_cast<float>(size) / static_cast<float>(w),
                               static_cast<float>(size) / static_cast<float>(h));
  const int nw = static_cast<int>(std::floor(static_cast<double>(w) * scale + 0.5));
  const int nh = static_cast<int>(std::floor(static_cast<double>(h) * scale + 0.5));
  *box = Letterbox{scale, (size - nw) / 2, (size - nh) / 2, w, h};
  std::vector<float> out(static_cast<std::size_t>(size) * size * 3, 0.5F);
  const float step_x = static_cast<float>(static_cast<double>(w) / nw);
  const float step_y = static_cast<float>(static_cast<double>(h) / nh);
  for (int y = 0; y < nh; ++y) {
    const float sy = std::clamp((static_cast<float>(y) + 0.5F) * step_y - 0.5F, 0.0F,
                                static_cast<float>(h - 1));
    const int y0 = static_cast<int>(std::floor(sy));
    const int y1 = std::min(y0 + 1, h - 1);
    const float fy = sy - static_cast<float>(y0);
    for (int x = 0; x < nw; ++x) {
      const float sx = std::clamp((static_cast<float>(x) + 0.5F) * step_x - 0.5F, 0.0F,
                                  static_cast<float>(w - 1));
      const int x0 = static_cast<int>(std::floor(sx));
      const int x1 = std::min(x0 + 1, w - 1);
      const float fx = sx - static_cast<float>(x0);
      float* dst = &out[(static_cast<std::size_t>(y + box->pad_y) * size + x + box->pad_x) * 3];
      for (int c = 0; c < 3; ++c) {
        auto at = [&](int yy, int xx) {
          return static_cast<float>(image.rgb[(static_cast<std::size_t>(yy) * w + xx) * 3 + c]);
        };
        const float top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
        const float bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
        dst[c] = (top * (1 - fy) + bottom * fy) / 255.0F;
      }
    }
  }
  return out;
}

namespace {

double Sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

float Iou(const Detection& a, const Detection& b) {
  const float w = std::max(0.0F, std::min(a.x1, b.x1) - std::max(a.x0, b.x0));
  const float h = std::max(0.0F, std::min(a.y1, b.y1) - std::max(a.y0, b.y0));
  const float inter = w * h;
  const float areas = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0);
  return inter / std::max(areas - inter, 1e-12F);
}

}  // namespace

std::vector<Detection> Decode(const std::vector<HeadOutput>& outputs, const Meta& meta,
                              float threshold) {
  std::vector<Detection> found;
  const int classes = static_cast<int>(meta.classes.size());
  for (std::size_t h = 0; h < outputs.size() && h < meta.heads.size(); ++h) {
    const HeadOutput& out = outputs[h];
    const Head& head = meta.heads[h];
    const int anchors = static_cast<int>(head.anchors.size());
    const int per_box = out.channels / anchors;
    for (int row = 0; row < out.rows; ++row) {
      for (int col = 0; col < out.cols; ++col) {
        const float* cell = out.data + (static_cast<std::size_t>(row) * out.cols + col) * out.channels;
        for (int a = 0; a < anchors; ++a) {
          const float* t = cell + a * per_box;
          int best = 0;
          for (int c = 1; c < classes; ++c) best = t[5 + c] > t[5 + best] ? c : best;
          const double score = Sigmoid(t[4]) * Sigmoid(t[5 + best]);
          if (score < threshold) continue;
          const double bx = (Sigmoid(t[0]) + col) * head.stride;
          const double by = (Sigmoid(t[1]) + row) * head.stride;
          const double bw = head.anchors[a].first * std::exp(static_cast<double>(t[2]));
          const double bh = head.anchors[a].second * std::exp(static_cast<double>(t[3]));
          found.push_back(Detection{best, static_cast<float>(score), static_cast<float>(bx - bw / 2),
                                    static_cast<float>(by - bh / 2), static_cast<float>(bx + bw / 2),
                                    static_cast<float>(by + bh / 2)});
        }
      }
    }
  }
  return found;
}

std::vector<Detection> Suppress(const std::vector<Detection>& candidates, float iou_threshold) {
  std::vector<std::size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return candidates[a].score > candidates[b].score;
  });
  std::vector<Detection> kept;
  for (std::size_t i : order) {
    const Detection& d = candidates[i];
    const bool overlaps = std::any_of(kept.begin(), kept.end(), [&](const Detection& k) {
      return k.cls == d.cls && Iou(k, d) > iou_threshold;
    });
    if (!overlaps) kept.push_back(d);
  }
  return kept;
}

void ToImage(const Letterbox& box, std::vector<Detection>* detections) {
  auto map = [&](float v, int pad, int limit) {
    return std::clamp((v - static_cast<float>(pad)) / box.scale, 0.0F, static_cast<float>(limit));
  };
  for (Detection& d : *detections) {
    d.x0 = map(d.x0, box.pad_x, box.width);
    d.y0 = map(d.y0, box.pad_y, box.height);
    d.x1 = map(d.x1, box.pad_x, box.width);
    d.y1 = map(d.y1, box.pad_y, box.height);
  }
}
