// The reference runtime: the portable kernels its builders record, unchanged.
#include "backend.h"

namespace odla_rt {

const Backend& backend() {
  static const Backend b{"reference", {}, nullptr};
  return b;
}

}  // namespace odla_rt
