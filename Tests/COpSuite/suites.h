/*
 * suites.h — every suite of the op conformance suite, registered by name in
 * suites.c. Each runs its cases on run->ctx (the backend under test) against
 * run->ref (the reference backend).
 */
#ifndef CK_SUITES_H
#define CK_SUITES_H

#include "harness.h"

/* Cross-backend agreement, one op family each (suite_<name>.c). */
void ckt_suite_conv2d(ckt_run *run);
void ckt_suite_conv2d_winograd(ckt_run *run);
void ckt_suite_conv2d_fused(ckt_run *run);
void ckt_suite_conv2d_split_k(ckt_run *run);
void ckt_suite_conv_transpose2d(ckt_run *run);
void ckt_suite_pool2d(ckt_run *run);
void ckt_suite_dense(ckt_run *run);
void ckt_suite_activation(ckt_run *run);
void ckt_suite_batchnorm(ckt_run *run);
void ckt_suite_loss(ckt_run *run);
void ckt_suite_dropout(ckt_run *run);
void ckt_suite_optim(ckt_run *run);

/* Finite-difference checks of every backward op (suite_gradcheck.c). */
void ckt_suite_gradcheck(ckt_run *run);

/* Device choice, the CPU fallback and kernel-build errors (suite_device.c), which also runs: */
void ckt_suite_device(ckt_run *run);
/* injected faults, OpenCL only (suite_device_faults.c); */
void ckt_suite_device_faults(ckt_run *run);
/* the memory pool, the program cache on disk, device limits, tunings (suite_device_runtime.c). */
void ckt_suite_device_runtime(ckt_run *run);

/* Invalid arguments and third-party golden values. */
void ckt_suite_invalid(ckt_run *run);
void ckt_suite_fixtures_torch(ckt_run *run);
void ckt_suite_fixtures_onnx(ckt_run *run);
void ckt_suite_concurrency(ckt_run *run);

#endif
