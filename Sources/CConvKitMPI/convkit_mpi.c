/*
 * convkit_mpi.c — see convkit_mpi.h. With CONVKIT_WITH_MPI the calls go to MPI; without it
 * they report CKMPI_UNAVAILABLE.
 */
#include "convkit_mpi.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static _Thread_local char last_error[512];

static ckmpi_status fail(ckmpi_status status, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(last_error, sizeof last_error, format, args);
    va_end(args);
    return status;
}

const char *ckmpi_last_error(void) { return last_error; }

#ifdef CONVKIT_WITH_MPI

#include <limits.h>
#include <mpi.h>

/* The largest count one MPI call takes is an int; longer transfers are split into chunks. */
#define CHUNK_ELEMENTS ((int64_t)1 << 30)

struct ckmpi_request {
    int count;
    MPI_Request requests[];
};

static int initialized_here;
static MPI_Comm node_comm = MPI_COMM_NULL;
static char library_version[MPI_MAX_LIBRARY_VERSION_STRING];

static ckmpi_status mpi_fail(const char *call, int code) {
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) snprintf(text, sizeof text, "error code %d", code);
    return fail(CKMPI_ERROR, "%s failed: %s", call, text);
}

int ckmpi_available(void) { return 1; }

const char *ckmpi_library_version(void) {
    if (library_version[0] == '\0') {
        int length = 0;
        MPI_Get_library_version(library_version, &length);
        for (char *c = library_version; *c; c++)
            if (*c == '\n' || *c == ',') { *c = '\0'; break; }
    }
    return library_version;
}

ckmpi_status ckmpi_init(void) {
    int already = 0, provided = 0, code;
    MPI_Initialized(&already);
    if (!already) {
        if ((code = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided)) != MPI_SUCCESS)
            return mpi_fail("MPI_Init_thread", code);
        initialized_here = 1;
    }
    if ((code = MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN)) != MPI_SUCCESS)
        return mpi_fail("MPI_Comm_set_errhandler", code);
    if (node_comm == MPI_COMM_NULL &&
        (code = MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node_comm)) != MPI_SUCCESS)
        return mpi_fail("MPI_Comm_split_type", code);
    return CKMPI_OK;
}

ckmpi_status ckmpi_finalize(void) {
    int finalized = 0, code;
    MPI_Finalized(&finalized);
    if (!initialized_here || finalized) return CKMPI_OK;
    if (node_comm != MPI_COMM_NULL) MPI_Comm_free(&node_comm);
    if ((code = MPI_Finalize()) != MPI_SUCCESS) return mpi_fail("MPI_Finalize", code);
    return CKMPI_OK;
}

static int comm_value(MPI_Comm comm, int size, int fallback) {
    int initialized = 0, value = fallback;
    MPI_Initialized(&initialized);
    if (!initialized || comm == MPI_COMM_NULL) return fallback;
    if ((size ? MPI_Comm_size(comm, &value) : MPI_Comm_rank(comm, &value)) != MPI_SUCCESS) return fallback;
    return value;
}

int ckmpi_rank(void) { return comm_value(MPI_COMM_WORLD, 0, 0); }
int ckmpi_size(void) { return comm_value(MPI_COMM_WORLD, 1, 1); }
int ckmpi_local_rank(void) { return comm_value(node_comm, 0, 0); }
int ckmpi_local_size(void) { return comm_value(node_comm, 1, 1); }

/* A request with room for the chunks of `count` elements. */
static ckmpi_status new_request(int64_t count, const char *op, ckmpi_request **out) {
    if (count < 0) return fail(CKMPI_ERROR, "%s: negative count %lld", op, (long long)count);
    int chunks = (int)((count + CHUNK_ELEMENTS - 1) / CHUNK_ELEMENTS);
    ckmpi_request *request = malloc(sizeof *request + (size_t)(chunks > 0 ? chunks : 1) * sizeof(MPI_Request));
    if (!request) return fail(CKMPI_ERROR, "%s: out of host memory", op);
    request->count = 0;
    *out = request;
    return CKMPI_OK;
}

static ckmpi_status iallreduce(void *data, int64_t count, MPI_Datatype type, size_t element, const char *op,
                               ckmpi_request **out_request) {
    ckmpi_request *request;
    ckmpi_status status = new_request(count, op, &request);
    if (status != CKMPI_OK) return status;
    for (int64_t start = 0; start < count; start += CHUNK_ELEMENTS) {
        int64_t n = count - start < CHUNK_ELEMENTS ? count - start : CHUNK_ELEMENTS;
        int code = MPI_Iallreduce(MPI_IN_PLACE, (char *)data + start * (int64_t)element, (int)n, type, MPI_SUM,
                                  MPI_COMM_WORLD, &request->requests[request->count]);
        if (code != MPI_SUCCESS) {
            ckmpi_request_free(request);
            return mpi_fail("MPI_Iallreduce", code);
        }
        request->count++;
    }
    *out_request = request;
    return CKMPI_OK;
}

ckmpi_status ckmpi_iallreduce_sum_float(float *data, int64_t count, ckmpi_request **out_request) {
    return iallreduce(data, count, MPI_FLOAT, sizeof(float), "ckmpi_iallreduce_sum_float", out_request);
}

ckmpi_status ckmpi_iallreduce_sum_double(double *data, int64_t count, ckmpi_request **out_request) {
    return iallreduce(data, count, MPI_DOUBLE, sizeof(double), "ckmpi_iallreduce_sum_double", out_request);
}

ckmpi_status ckmpi_ibroadcast(void *data, int64_t bytes, int root, ckmpi_request **out_request) {
    ckmpi_request *request;
    ckmpi_status status = new_request(bytes, "ckmpi_ibroadcast", &request);
    if (status != CKMPI_OK) return status;
    for (int64_t start = 0; start < bytes; start += CHUNK_ELEMENTS) {
        int64_t n = bytes - start < CHUNK_ELEMENTS ? bytes - start : CHUNK_ELEMENTS;
        int code = MPI_Ibcast((char *)data + start, (int)n, MPI_BYTE, root, MPI_COMM_WORLD,
                              &request->requests[request->count]);
        if (code != MPI_SUCCESS) {
            ckmpi_request_free(request);
            return mpi_fail("MPI_Ibcast", code);
        }
        request->count++;
    }
    *out_request = request;
    return CKMPI_OK;
}

ckmpi_status ckmpi_test(ckmpi_request *request, int *out_done) {
    int code = MPI_Testall(request->count, request->requests, out_done, MPI_STATUSES_IGNORE);
    if (code != MPI_SUCCESS) return mpi_fail("MPI_Testall", code);
    return CKMPI_OK;
}

void ckmpi_request_free(ckmpi_request *request) {
    if (!request) return;
    /* MPI may not free or cancel an unfinished collective, and may still write to its request:
     * such a request is left alone (the run is being aborted). */
    for (int i = 0; i < request->count; i++)
        if (request->requests[i] != MPI_REQUEST_NULL) return;
    free(request);
}

void ckmpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

#else /* no MPI in this build */

struct ckmpi_request {
    int unused;
};

static ckmpi_status unavailable(const char *op) {
    return fail(CKMPI_UNAVAILABLE, "%s: this build of ConvKit has no MPI", op);
}

int ckmpi_available(void) { return 0; }
const char *ckmpi_library_version(void) { return ""; }
ckmpi_status ckmpi_init(void) { return unavailable("ckmpi_init"); }
ckmpi_status ckmpi_finalize(void) { return CKMPI_OK; }
int ckmpi_rank(void) { return 0; }
int ckmpi_size(void) { return 1; }
int ckmpi_local_rank(void) { return 0; }
int ckmpi_local_size(void) { return 1; }

ckmpi_status ckmpi_iallreduce_sum_float(float *data, int64_t count, ckmpi_request **out_request) {
    (void)data, (void)count, (void)out_request;
    return unavailable("ckmpi_iallreduce_sum_float");
}

ckmpi_status ckmpi_iallreduce_sum_double(double *data, int64_t count, ckmpi_request **out_request) {
    (void)data, (void)count, (void)out_request;
    return unavailable("ckmpi_iallreduce_sum_double");
}

ckmpi_status ckmpi_ibroadcast(void *data, int64_t bytes, int root, ckmpi_request **out_request) {
    (void)data, (void)bytes, (void)root, (void)out_request;
    return unavailable("ckmpi_ibroadcast");
}

ckmpi_status ckmpi_test(ckmpi_request *request, int *out_done) {
    (void)request;
    *out_done = 1;
    return unavailable("ckmpi_test");
}

void ckmpi_request_free(ckmpi_request *request) { (void)request; }
void ckmpi_abort(int code) { (void)code; }

#endif
