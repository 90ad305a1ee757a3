/*
 * convkit_mpi.h — the MPI calls of ConvKit's data-parallel training, behind a C ABI that
 * builds with or without MPI.
 *
 * Built with CONVKIT_WITH_MPI (SwiftPM: `swift build --traits MPI`, which links Open MPI's
 * libmpi) the functions call MPI on MPI_COMM_WORLD. Without it ckmpi_available() returns 0
 * and every other call returns CKMPI_UNAVAILABLE, so a default build needs no MPI header or
 * library.
 *
 * Collectives are non-blocking (MPI_Iallreduce, MPI_Ibcast): each returns a request that the
 * caller polls with ckmpi_test, which also drives MPI's progress, so a caller can give up after
 * a deadline instead of hanging on a rank that died. Call everything from one thread (MPI is
 * initialized with MPI_THREAD_FUNNELED). Errors return CKMPI_ERROR; ckmpi_last_error() then
 * says what failed in words (MPI_Error_string).
 */
#ifndef CONVKIT_MPI_H
#define CONVKIT_MPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ckmpi_status {
    CKMPI_OK = 0,
    CKMPI_UNAVAILABLE = 1, /* built without MPI */
    CKMPI_ERROR = 2        /* an MPI call failed: ckmpi_last_error() */
} ckmpi_status;

/** One started collective; ckmpi_test until done, then ckmpi_request_free. */
typedef struct ckmpi_request ckmpi_request;

/** 1 when built with MPI, else 0. */
int ckmpi_available(void);

/** The MPI library's version line (MPI_Get_library_version), "" without MPI. Static storage. */
const char *ckmpi_library_version(void);

/** The message of the last failed call (this thread's). */
const char *ckmpi_last_error(void);

/**
 * MPI_Init_thread (MPI_THREAD_FUNNELED) unless MPI is initialized already, errors returned
 * rather than fatal (MPI_ERRORS_RETURN), and the node-local communicator (ranks sharing this
 * machine) for ckmpi_local_rank / ckmpi_local_size.
 */
ckmpi_status ckmpi_init(void);

/** MPI_Finalize, when ckmpi_init initialized MPI and it is not finalized yet. */
ckmpi_status ckmpi_finalize(void);

/** Rank and size in MPI_COMM_WORLD, and among the ranks on this machine; 0 / 1 before ckmpi_init. */
int ckmpi_rank(void);
int ckmpi_size(void);
int ckmpi_local_rank(void);
int ckmpi_local_size(void);

/** Starts summing `count` floats (doubles) at `data` over every rank, in place (MPI_Iallreduce
 *  with MPI_IN_PLACE, MPI_SUM). `data` must stay valid and untouched until the request is done. */
ckmpi_status ckmpi_iallreduce_sum_float(float *data, int64_t count, ckmpi_request **out_request);
ckmpi_status ckmpi_iallreduce_sum_double(double *data, int64_t count, ckmpi_request **out_request);

/** Starts sending `bytes` bytes at `data` from rank `root` to every rank (MPI_Ibcast). */
ckmpi_status ckmpi_ibroadcast(void *data, int64_t bytes, int root, ckmpi_request **out_request);

/** Sets *out_done to 1 when the request has completed (MPI_Testall), else 0. */
ckmpi_status ckmpi_test(ckmpi_request *request, int *out_done);

/** Frees a completed request (NULL is a no-op). MPI cannot cancel a collective, so an
 *  unfinished request is left allocated: free one only when giving up on the run. */
void ckmpi_request_free(ckmpi_request *request);

/** Ends every rank of the job with `code` (MPI_Abort on MPI_COMM_WORLD); returns only without MPI. */
void ckmpi_abort(int code);

#ifdef __cplusplus
}
#endif

#endif /* CONVKIT_MPI_H */
