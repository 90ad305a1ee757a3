/*
 * fixture.h — reads golden-value fixture files (*.ckf) produced by the
 * scripts in Tests/Fixtures/scripts; the format and the attribute / tensor
 * conventions of each op are documented in Tests/Fixtures/README.md.
 *
 * A file is a list of cases. A case names an op, carries numeric attributes
 * (key -> up to 16 numbers) and named tensors (dtype, dims, values). Values
 * are held as doubles whatever the dtype: a float32 value printed with %.9g
 * converts back to exactly the stored float32 with (float)value, and int32
 * values are exact.
 */
#ifndef CK_FIXTURE_H
#define CK_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include "convkit.h"

#define CKF_NAME_LEN 64
#define CKF_CASE_NAME_LEN 128
#define CKF_MAX_DIMS 8
#define CKF_MAX_ATTR_VALUES 16
#define CKF_MAX_ATTRS 32
#define CKF_MAX_TENSORS 24

/** A named tensor of a case: dims[0..ndim) row-major, `count` values (1 for ndim 0). */
typedef struct ckf_tensor {
    char name[CKF_NAME_LEN];
    ck_dtype dtype;           /* CK_F32, CK_F64 or CK_I32 */
    int32_t ndim;
    int64_t dims[CKF_MAX_DIMS];
    size_t count;
    double *values;
} ckf_tensor;

/** A numeric attribute: key and 1..16 finite values. */
typedef struct ckf_attr {
    char key[CKF_NAME_LEN];
    int count;
    double values[CKF_MAX_ATTR_VALUES];
} ckf_attr;

typedef struct ckf_case {
    char name[CKF_CASE_NAME_LEN];
    char op[CKF_NAME_LEN];
    int n_attrs;
    ckf_attr attrs[CKF_MAX_ATTRS];
    int n_tensors;
    ckf_tensor tensors[CKF_MAX_TENSORS];
} ckf_case;

typedef struct ckf_file {
    int n_cases;
    ckf_case *cases;
} ckf_file;

/**
 * Loads a fixture file; 0 on success, else -1 with a message "path:line: what"
 * in err (truncated to err_len; err may be NULL). On failure *out holds no
 * cases and nothing needs freeing. A file without any case is an error.
 */
int ckf_load(const char *path, ckf_file *out, char *err, size_t err_len);

/** Frees everything ckf_load allocated and empties the file. NULL is a no-op. */
void ckf_free(ckf_file *file);

/** The tensor called `name` in case `c`, or NULL if absent. */
const ckf_tensor *ckf_tensor_named(const ckf_case *c, const char *name);

/** The attribute `key` of case `c`, or NULL if absent. */
const ckf_attr *ckf_attr_named(const ckf_case *c, const char *key);

/** Value `index` of attribute `key`, or `fallback` if the attribute or that value is absent. */
double ckf_attr_or(const ckf_case *c, const char *key, int index, double fallback);

#endif /* CK_FIXTURE_H */
