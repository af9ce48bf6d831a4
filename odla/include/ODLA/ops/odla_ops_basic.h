/* ODLA graph inputs: arguments (bound per execution) and constants. */
#ifndef ODLA_OPS_ODLA_OPS_BASIC_H_
#define ODLA_OPS_ODLA_OPS_BASIC_H_

#include <ODLA/odla_common.h>
#include <ODLA/odla_value.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An input of the current computation; its data is bound in a context. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_CreateArgument(
    const odla_value_type value_type, const odla_value_id value_id);

/* A constant. The runtime keeps `data_ptr` (dense, row-major) and reads it
 * during execution without copying, so the data must outlive the
 * computation. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_CreateConstant(const odla_value_type value_type, const odla_void* data_ptr,
                    const odla_value_id value_id);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ODLA_OPS_ODLA_OPS_BASIC_H_ */
