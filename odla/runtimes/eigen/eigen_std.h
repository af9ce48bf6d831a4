// Standard headers the Eigen kernels need, included by each kernels_<isa>.cc
// BEFORE its `#pragma GCC target`: templates defined here keep the baseline
// target, so no std:: instantiation shared with other objects is ever built for
// an instruction set the CPU may lack (GCC takes a template instance's target
// from where the template was defined). Only Eigen (in a per-ISA namespace)
// and the kernels themselves are compiled for the ISA.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <cfloat>
#include <climits>
#include <cmath>
#include <complex>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "eigen_kernels.h"
