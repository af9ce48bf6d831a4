/* ODLA (Open Deep Learning API) -- basic scalar types, element types, status
 * codes, export macros and version information.
 *
 * Written for HALO-py after the public ODLA 0.5 interface; see
 * odla/README.md for the places where HALO extends or deviates from it. */
#ifndef ODLA_ODLA_COMMON_H_
#define ODLA_ODLA_COMMON_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the API described by these headers. ODLA_VERSION_NUMBER is
 * major * 10000 + minor * 100 + patch, so it compares correctly with #if. */
#define ODLA_VERSION_MAJOR 0
#define ODLA_VERSION_MINOR 5
#define ODLA_VERSION_PATCH 0
#define ODLA_VERSION_NUMBER \
  ((ODLA_VERSION_MAJOR)*10000 + (ODLA_VERSION_MINOR)*100 + (ODLA_VERSION_PATCH))

/* Linkage decorations. Static builds need none; a Windows DLL build defines
 * ODLA_BUILDING_SHARED while compiling the runtime. */
#if defined(_WIN32) && defined(ODLA_BUILDING_SHARED)
#define ODLA_API_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define ODLA_API_EXPORT __attribute__((visibility("default")))
#else
#define ODLA_API_EXPORT
#endif
#define ODLA_API_CALL

typedef int8_t odla_int8;
typedef int16_t odla_int16;
typedef int32_t odla_int32;
typedef int64_t odla_int64;
typedef uint8_t odla_uint8;
typedef uint16_t odla_uint16;
typedef uint32_t odla_uint32;
typedef uint64_t odla_uint64;
typedef uint16_t odla_float16;  /* IEEE binary16 bit pattern */
typedef uint16_t odla_bfloat16; /* bfloat16 bit pattern */
typedef float odla_float32;
typedef double odla_float64;
typedef const char* odla_string;
typedef odla_uint32 odla_bool; /* parameter flag: 0 is false */
typedef char odla_char;
typedef size_t odla_size_t;
typedef void odla_void;

/* Element types of tensors. Enumerator order follows ODLA 0.5. Tensors of
 * ODLA_BOOL hold one byte per element (0 or 1). */
typedef enum {
  ODLA_INT8,
  ODLA_INT16,
  ODLA_INT32,
  ODLA_INT64,
  ODLA_UINT8,
  ODLA_UINT16,
  ODLA_UINT32,
  ODLA_UINT64,
  ODLA_QINT8,
  ODLA_QINT16,
  ODLA_QINT32,
  ODLA_QINT64,
  ODLA_QUINT8,
  ODLA_QUINT16,
  ODLA_QUINT32,
  ODLA_QUINT64,
  ODLA_FLOAT16,
  ODLA_BFLOAT16,
  ODLA_FLOAT32,
  ODLA_FLOAT64,
  ODLA_BOOL,
  ODLA_STRING
} odla_element_type;

/* Result of every non-builder call. Enumerator order follows ODLA 0.5. */
typedef enum {
  ODLA_SUCCESS,
  ODLA_DL_ERROR,
  ODLA_FILE_NOT_EXIST,
  ODLA_INVALID_PARAM, /* bad argument: NULL pointer, unknown id, ... */
  ODLA_MEM_ERROR,     /* allocation failed */
  ODLA_UNSUPPORTED_DATATYPE,
  ODLA_UNSUPPORTED_DEVICE_TYPE,
  ODLA_UNSUPPORTED_OP,
  ODLA_TIMEOUT,
  ODLA_INTERNAL_LOGIC_ERR,
  ODLA_RECOVERABLE_ERR,
  ODLA_PARTITION_RESET,
  ODLA_FULL_RESET,
  ODLA_UNRECOVERABLE_ERR,
  ODLA_FAILURE
} odla_status;

/* Human-readable version of the runtime, e.g. "ODLA 0.5.0 (reference)". */
extern ODLA_API_EXPORT const char* ODLA_API_CALL odla_GetVersionString(void);

/* HALO extension: text of the most recent error recorded by an ODLA call on
 * the calling thread, or "" when none has occurred. Builders that return NULL
 * and calls that return a status other than ODLA_SUCCESS set it; successful
 * calls leave it alone. The pointer stays valid until the next failing call on
 * the same thread. */
extern ODLA_API_EXPORT const char* ODLA_API_CALL odla_GetLastErrorMessage(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ODLA_ODLA_COMMON_H_ */
