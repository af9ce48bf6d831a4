/* ODLA computations (graphs under construction and their execution) and
 * contexts (the buffers bound for one execution).
 *
 * Build phase: odla_CreateComputation makes a computation current on the
 * calling thread; odla_CreateArgument/odla_CreateConstant and the op builders
 * add to the current computation. Run phase: a context binds host buffers to
 * arguments and outputs by id; odla_ExecuteComputation runs the graph. A
 * computation may be executed from several threads at once, each with its own
 * context. */
#ifndef ODLA_ODLA_COMPUTE_H_
#define ODLA_ODLA_COMPUTE_H_

#include <ODLA/odla_common.h>
#include <ODLA/odla_value.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  ODLA_COMPUTE_DEFAULT,
  ODLA_COMPUTE_INFERENCE,
  ODLA_COMPUTE_TRAINING
} odla_compute_mode;

typedef struct _odla_device* odla_device; /* NULL selects the default */
typedef struct _odla_computation* odla_computation;
typedef struct _odla_executable* odla_executable;
typedef struct _odla_context* odla_context;

/* Creates an empty computation and makes it current on the calling thread. */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_CreateComputation(odla_computation* computation);

/* HALO extension: makes `computation` current on the calling thread (NULL
 * clears it). Builders on this thread add nodes to it from now on. */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_SetCurrentComputation(odla_computation computation);

/* Destroys a computation; it stops being current on the calling thread. No
 * execution of it may be in progress. */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_DestroyComputation(odla_computation computation);

/* Prepares the computation for execution (validation, memory planning). It is
 * done implicitly by the first odla_ExecuteComputation. `executable` may be
 * NULL; a runtime without separate executables stores NULL through it. */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_CompileComputation(const odla_computation computation,
                        const odla_device device, odla_executable* executable);

/* Runs the computation on the buffers bound in `context`. Every argument and
 * every output must be bound, and every binding must name an argument or an
 * output of the computation. `mode` and `device` may be left at
 * ODLA_COMPUTE_DEFAULT / NULL. One context serves one execution at a time. */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL odla_ExecuteComputation(
    const odla_computation computation, const odla_context context,
    const odla_compute_mode mode, odla_device device);

/* Arguments and outputs, in the order they were created / marked. */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_GetNumOfArgsFromComputation(const odla_computation computation,
                                 odla_uint32* num_args);
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_GetArgFromComputationByIdx(const odla_computation computation,
                                const odla_uint32 arg_idx,
                                odla_value* arg_value);
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_GetNumOfOutputsFromComputation(const odla_computation computation,
                                    odla_uint32* num_outputs);
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_GetOutputFromComputationByIdx(const odla_computation computation,
                                   const odla_uint32 output_idx,
                                   odla_value* output_value);

/* HALO extension: plans the computation if needed and reports the bytes of
 * the activation arena each context allocates for it and the number of nodes
 * an execution runs (nodes that no output needs and pure reshapes are not
 * counted). Either pointer may be NULL. */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_GetComputationStats(const odla_computation computation,
                         odla_uint64* arena_bytes, odla_uint64* num_nodes);

extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_CreateContext(odla_context* context);
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_DestroyContext(odla_context context);

/* Binds host memory holding the data of an argument. The memory must stay
 * valid and unchanged until the execution returns. Ids are resolved against
 * the computation when it is executed. */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL odla_BindToArgument(
    odla_value value, const odla_void* data_ptr, odla_context context);
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_BindToArgumentById(const odla_value_id value_id, const odla_void* data_ptr,
                        odla_context context);

/* Binds host memory that receives an output (dense, row-major). */
extern ODLA_API_EXPORT odla_status ODLA_API_CALL
odla_BindToOutput(odla_value value, odla_void* data_ptr, odla_context context);
extern ODLA_API_EXPORT odla_status ODLA_API_CALL odla_BindToOutputById(
    const odla_value_id value_id, odla_void* data_ptr, odla_context context);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ODLA_ODLA_COMPUTE_H_ */
