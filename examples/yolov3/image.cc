#include "image.h"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace {

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The next whitespace-separated header field of a PPM file, skipping # comments.
bool PpmField(const std::vector<std::uint8_t>& bytes, std::size_t* pos, long* value) {
  while (*pos < bytes.size()) {
    if (bytes[*pos] == '#') {
      while (*pos < bytes.size() && bytes[*pos] != '\n') ++*pos;
    } else if (std::isspace(bytes[*pos]) != 0) {
      ++*pos;
    } else {
      break;
    }
  }
  long v = 0;
  std::size_t digits = 0;
  while (*pos < bytes.size() && bytes[*pos] >= '0' && bytes[*pos] <= '9' && digits < 9) {
    v = v * 10 + (bytes[*pos] - '0');
    ++*pos;
    ++digits;
  }
  *value = v;
  return digits > 0;
}

bool ReadPpm(const std::vector<std::uint8_t>& bytes, Image* image, std::string* error) {
  std::size_t pos = 2;
  long width = 0;
  long height = 0;
  long maxval = 0;
  if (!PpmField(bytes, &pos, &width) || !PpmField(bytes, &pos, &height) ||
      !PpmField(bytes, &pos, &maxval) || width <= 0 || height <= 0 || maxval != 255 ||
      width > 65536 || height > 65536) {
    *error = "not a binary 8-bit PPM (P6, maxval 255)";
    return false;
  }
  ++pos;  // the single whitespace byte before the pixels
  const std::size_t size = static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3;
  if (bytes.size() < pos + size) {
    *error = "the PPM file is shorter than its header says";
    return false;
  }
  image->width = static_cast<int>(width);
  image->height = static_cast<int>(height);
  image->rgb.assign(bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                    bytes.begin() + static_cast<std::ptrdiff_t>(pos + size));
  return true;
}

bool ReadPng(const std::vector<std::uint8_t>& bytes, Image* image, std::string* error) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()) == 0) {
    *error = std::string("cannot read the PNG: ") + png.message;
    return false;
  }
  png.format = PNG_FORMAT_RGB;
  image->width = static_cast<int>(png.width);
  image->height = static_cast<int>(png.height);
  image->rgb.resize(PNG_IMAGE_SIZE(png));
  if (png_image_finish_read(&png, nullptr, image->rgb.data(), 0, nullptr) == 0) {
    *error = std::string("cannot decode the PNG: ") + png.message;
    png_image_free(&png);
    return false;
  }
  return true;
}

}  // namespace

bool ReadImage(const std::string& path, Image* image, std::string* error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    *error = "cannot open " + path;
    return false;
  }
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                                        std::istreambuf_iterator<char>());
  static const std::uint8_t kPngMagic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPngMagic, 8) == 0) {
    return ReadPng(bytes, image, error);
  }
  if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] == '6') return ReadPpm(bytes, image, error);
  *error = path + " is neither a PNG nor a binary PPM (P6) image";
  return false;
}

bool WriteImage(const std::string& path, const Image& image, std::string* error) {
  if (EndsWith(path, ".png")) {
    png_image png;
    std::memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    png.width = static_cast<png_uint_32>(image.width);
    png.height = static_cast<png_uint_32>(image.height);
    png.format = PNG_FORMAT_RGB;
    if (png_image_write_to_file(&png, path.c_str(), 0, image.rgb.data(), 0, nullptr) == 0) {
      *error = std::string("cannot write ") + path + ": " + png.message;
      return false;
    }
    return true;
  }
  std::ofstream file(path, std::ios::binary);
  file << "P6\n" << image.width << " " << image.height << "\n255\n";
  file.write(reinterpret_cast<const char*>(image.rgb.data()),
             static_cast<std::streamsize>(image.rgb.size()));
  if (!file) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

void DrawBox(Image* image, float x0, float y0, float x1, float y1, const std::uint8_t colour[3],
             int thickness) {
  const int left = std::max(0, static_cast<int>(std::floor(x0)));
  const int top = std::max(0, static_cast<int>(std::floor(y0)));
  const int right = std::min(image->width, static_cast<int>(std::ceil(x1)));
  const int bottom = std::min(image->height, static_cast<int>(std::ceil(y1)));
  for (int y = top; y < bottom; ++y) {
    for (int x = left; x < right; ++x) {
      const bool edge = x < left + thickness || x >= right - thickness || y < top + thickness ||
                        y >= bottom - thickness;
      if (!edge) continue;
      std::uint8_t* px = &image->rgb[(static_cast<std::size_t>(y) * image->width + x) * 3];
      px[0] = colour[0];
      px[1] = colour[1];
      px[2] = colour[2];
    }
  }
}
