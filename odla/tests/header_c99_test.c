/* The ODLA headers compile as strict C99, and the version macro is usable in
 * preprocessor conditions. */
#include <ODLA/odla.h>

#if ODLA_VERSION_NUMBER != ODLA_VERSION_MAJOR * 10000 + ODLA_VERSION_MINOR * 100 + ODLA_VERSION_PATCH
#error "ODLA_VERSION_NUMBER is inconsistent"
#endif
#if ODLA_VERSION_NUMBER < 500
#error "expected ODLA 0.5 or newer"
#endif

int main(void) {
  odla_value_shape shape = {2, {3, 4}};
  odla_value_type type = {ODLA_FLOAT32, {0, {0}}};
  type.shape = shape;
  return type.shape.dims[1] == 4 && sizeof(odla_bool) == 4 ? 0 : 1;
}
