/* ODLA (Open Deep Learning API): include this one header. */
#ifndef ODLA_ODLA_H_
#define ODLA_ODLA_H_

#include <ODLA/odla_common.h>
#include <ODLA/odla_compute.h>
#include <ODLA/odla_ops.h>
#include <ODLA/odla_value.h>

#endif /* ODLA_ODLA_H_ */
