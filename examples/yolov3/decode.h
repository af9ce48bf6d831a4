// YOLOv3 pre- and post-processing: letterbox, box decoding with anchors, class-wise
// non-maximum suppression. postprocess.py is the numpy reference these are tested against.
#ifndef HALO_EXAMPLES_YOLOV3_DECODE_H_
#define HALO_EXAMPLES_YOLOV3_DECODE_H_

#include <string>
#include <utility>
#include <vector>

#include "image.h"

struct Head {
  int stride = 0;
  std::vector<std::pair<float, float>> anchors;  // (width, height) in network pixels
};

// The detector's description (the .meta file next to the model): class names and, per head in
// the order of the model's outputs, its stride and anchors.
struct Meta {
  std::vector<std::string> classes;
  std::vector<Head> heads;
  float score = 0.5F;  // the detector's score threshold (yolo_demo's --score default)
};

bool ReadMeta(const std::string& path, Meta* meta, std::string* error);

struct Letterbox {
  float scale = 1;
  int pad_x = 0;
  int pad_y = 0;
  int width = 0;  // of the original image
  int height = 0;
};

// The network input, size x size x 3 floats in [0, 1] (NHWC), grey 0.5 around the scaled image.
std::vector<float> LetterboxImage(const Image& image, int size, Letterbox* box);

struct Detection {
  int cls = 0;
  float score = 0;
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// One head's raw output: rows x cols cells of anchors * (5 + classes) values (NHWC).
struct HeadOutput {
  const float* data = nullptr;
  int rows = 0;
  int cols = 0;
  int channels = 0;
};

// Candidate boxes in network pixels with score >= threshold, in head, row, column, anchor order.
std::vector<Detection> Decode(const std::vector<HeadOutput>& outputs, const Meta& meta,
                              float threshold);

// Class-wise non-maximum suppression; the kept boxes, highest score first.
std::vector<Detection> Suppress(const std::vector<Detection>& candidates, float iou_threshold);

// Boxes mapped from network pixels back into the image, clipped to it.
void ToImage(const Letterbox& box, std::vector<Detection>* detections);

#endif  // HALO_EXAMPLES_YOLOV3_DECODE_H_
