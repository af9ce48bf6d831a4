/* ODLA values: typed tensors that are the nodes' inputs and outputs.
 *
 * A value id is a NUL-terminated string passed as an odla_value_id, e.g.
 * (const odla_value_id)"input0"; builders copy it. NULL asks the runtime to
 * make up a unique id. */
#ifndef ODLA_ODLA_VALUE_H_
#define ODLA_ODLA_VALUE_H_

#include <ODLA/odla_common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ODLA_MAX_DIMENSION 10 /* highest rank a shape can hold */
#define ODLA_MAX_OUTPUTS 64   /* most values in odla_values / odla_value_ids */

/* A shape: `size` is the rank (0 for a scalar), dims[0..size) the extents.
 * Outermost dimension first; data is dense and row-major. */
typedef struct {
  odla_int32 size;
  odla_int64 dims[ODLA_MAX_DIMENSION];
} odla_value_shape;

typedef struct {
  odla_element_type element_type;
  odla_value_shape shape;
} odla_value_type;

typedef struct _odla_value* odla_value;

typedef struct {
  odla_size_t size;
  odla_value values[ODLA_MAX_OUTPUTS];
} odla_values;

typedef struct _odla_value_id* odla_value_id;

typedef struct {
  odla_size_t size;
  odla_value_id value_ids[ODLA_MAX_OUTPUTS];
} odla_value_ids;

/* Marks a value of the current computation as a computation output. */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_SetValueAsOutput(odla_value value);

/* Marks every value of `values` as an output, in order. */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_SetValuesAsOutput(odla_values values);

/* Marks the value with id `value_id` of the current computation as output. */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_SetValueAsOutputById(const odla_value_id value_id);

/* Element type and shape of a value. */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_GetValueType(const odla_value value, odla_value_type* value_type);

/* The id of a value; the string lives as long as the computation. */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_GetValueId(const odla_value value, odla_value_id* value_id);

/* Looks a value up by id in the current computation. */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_FindValueById(const odla_value_id value_id, odla_value* value);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ODLA_ODLA_VALUE_H_ */
