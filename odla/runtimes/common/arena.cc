// Arena placement: greedy by size with best-fitting gaps.
#include <algorithm>
#include <numeric>

#include "planner.h"

namespace odla_rt {

size_t place_blocks(std::vector<Block>& blocks) {
  for (Block& b : blocks) b.bytes = (b.bytes + 63) / 64 * 64;
  std::vector<size_t> order(blocks.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return blocks[a].bytes > blocks[b].bytes;
  });
  std::vector<size_t> placed;  // indices into blocks, in placement order
  std::vector<const Block*> live;
  size_t arena = 0;
  for (size_t idx : order) {
    Block& b = blocks[idx];
    live.clear();
    for (size_t p : placed) {
      const Block& o = blocks[p];
      if (o.bytes != 0 && o.first <= b.last && b.first <= o.last) live.push_back(&o);
    }
    std::sort(live.begin(), live.end(),
              [](const Block* x, const Block* y) { return x->offset < y->offset; });
    size_t cursor = 0, best = 0, best_gap = 0;
    bool found = false;
    for (const Block* o : live) {
      if (o->offset >= cursor) {
        const size_t gap = o->offset - cursor;
        if (gap >= b.bytes && (!found || gap < best_gap)) {
          found = true;
          best = cursor;
          best_gap = gap;
        }
      }
      cursor = std::max(cursor, o->offset + o->bytes);
    }
    b.offset = found ? best : cursor;
    arena = std::max(arena, b.offset + b.bytes);
    placed.push_back(idx);
  }
  return arena;
}

}  // namespace odla_rt
