// 8-bit RGB images: binary PPM (P6) and PNG (libpng) in and out, and box outlines.
#ifndef HALO_EXAMPLES_YOLOV3_IMAGE_H_
#define HALO_EXAMPLES_YOLOV3_IMAGE_H_

#include <cstdint>
#include <string>
#include <vector>

struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;  // height rows of width interleaved R, G, B bytes
};

// Reads a .png or a binary .ppm (by content, not by name); false with a message on failure.
bool ReadImage(const std::string& path, Image* image, std::string* error);

// Writes PNG when `path` ends in .png, else binary PPM; false with a message on failure.
bool WriteImage(const std::string& path, const Image& image, std::string* error);

// Draws the outline of the box [x0, x1) x [y0, y1), clipped to the image.
void DrawBox(Image* image, float x0, float y0, float x1, float y1, const std::uint8_t colour[3],
             int thickness);

#endif  // HALO_EXAMPLES_YOLOV3_IMAGE_H_
