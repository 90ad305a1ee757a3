/*
 * fuzz_layout.c — turns the natural views an op driver listed into the views
 * the call passes, and places them in buffers.
 *
 * Per slot one byte decides: most values leave the view alone, the top ones
 * pick one perturbation (table `mutation`), some with an argument byte. A
 * view that is left alone gets a buffer of its own with guard bytes before
 * and after it (sizes from one layout byte per call), or none after it: then
 * the view ends exactly where the buffer's allocation ends (a multiple of
 * 64 bytes), so that AddressSanitizer sees a write just past it. The placement
 * perturbations put it instead onto an earlier slot's buffer — exactly on
 * that slot (in-place use), partly over it, or just after it — or onto a
 * buffer of another context, or no buffer at all. After every slot is placed,
 * the perturbations that break a buffer (too short by a few bytes, offset
 * past its end or near SIZE_MAX) are applied.
 */
#include "fuzz_call.h"

#include <string.h>

/* Slot bytes at or above this value perturb the slot. */
#define MUTATE_FROM 230

typedef enum mutation {
    M_NULL_TENSOR, M_NULL_BUFFER, M_FOREIGN,                       /* pointers */
    M_DTYPE_F64, M_DTYPE_OTHER, M_DTYPE_BAD,                      /* dtype */
    M_NDIM_MORE, M_NDIM_LESS, M_NDIM_BAD,                         /* ndim */
    M_DIM_ZERO, M_DIM_NEGATIVE, M_DIM_PLUS, M_DIM_MINUS, M_DIM_HUGE, M_DIM_DOUBLE, M_DIMS_OF, /* dims */
    M_ALIAS, M_OVERLAP, M_AFTER, M_SHIFT, M_MISALIGN,             /* placement */
    M_SHORT_BUFFER, M_PAST_END, M_HUGE_OFFSET,                    /* broken buffers, applied last */
    M_NONE
} mutation;

int fz_add_slot(fz_call *call, const char *name, fz_role role, int32_t ndim, const int64_t *dims) {
    int index = call->nslots++;
    fz_slot *s = &call->slots[index];
    memset(s, 0, sizeof *s);
    s->name = name;
    s->role = role;
    s->present = 1;
    s->dtype = role == FZ_LABELS ? CK_I32 : CK_F32;
    s->ndim = ndim;
    for (int32_t d = 0; d < ndim && d < CK_MAX_DIMS; d++) s->dims[d] = dims[d];
    s->buffer = -1;
    return index;
}

const void *fz_params_arg(const fz_call *call) { return call->null_params ? NULL : &call->p; }

/* Bytes of a slot's view: 0 when its dtype, ndim or a dim is invalid, SIZE_MAX when the size overflows. */
static size_t view_bytes(const fz_slot *s) {
    size_t bytes = s->dtype == CK_F64 ? 8 : (s->dtype == CK_F32 || s->dtype == CK_I32) ? 4 : 0;
    if (s->ndim < 0 || s->ndim > CK_MAX_DIMS) return 0;
    for (int32_t d = 0; d < s->ndim && bytes; d++) {
        if (s->dims[d] < 1) return 0;
        if ((uint64_t)s->dims[d] > SIZE_MAX || __builtin_mul_overflow(bytes, (size_t)s->dims[d], &bytes)) bytes = SIZE_MAX;
    }
    return bytes;
}

/* Changes the dtype, ndim or dims of slot s (the perturbations before placement). */
static void mutate_view(fz_call *call, fz_slot *s, mutation m, uint8_t arg) {
    static const int64_t huge[] = {(int64_t)1 << 31, (int64_t)1 << 32,   (int64_t)1 << 62, INT64_MAX,
                                   INT64_MIN,        ((int64_t)1 << 61) + 1, 3037000500,   (int64_t)1 << 40};
    static const int32_t bad_ndim[] = {CK_MAX_DIMS + 1, -1, 100, INT32_MIN};
    static const int32_t bad_dtype[] = {3, -1, 255, 0x7fffffff};
    if (m >= M_DIM_ZERO && m <= M_DIM_DOUBLE && (s->ndim < 1 || s->ndim > CK_MAX_DIMS)) {
        s->ndim = 1; /* a scalar (or a bad ndim) gets one dim to perturb */
        s->dims[0] = 1;
    }
    int64_t *dim = s->ndim >= 1 && s->ndim <= CK_MAX_DIMS ? &s->dims[arg % s->ndim] : NULL;
    switch (m) {
    case M_NULL_TENSOR: s->present = 0; break;
    case M_DTYPE_F64: s->dtype = CK_F64; break;
    case M_DTYPE_OTHER: s->dtype = s->dtype == CK_I32 ? CK_F32 : CK_I32; break;
    case M_DTYPE_BAD: s->dtype = (ck_dtype)bad_dtype[arg % 4]; break;
    case M_NDIM_MORE:
        if (s->ndim >= 0 && s->ndim < CK_MAX_DIMS) s->dims[s->ndim++] = 1 + arg % 3;
        else s->ndim = CK_MAX_DIMS + 1;
        break;
    case M_NDIM_LESS: s->ndim--; break;
    case M_NDIM_BAD: s->ndim = bad_ndim[arg % 4]; break;
    case M_DIM_ZERO: *dim = 0; break;
    case M_DIM_NEGATIVE: *dim = -1 - arg % 3; break;
    case M_DIM_PLUS: *dim += 1; break;
    case M_DIM_MINUS: *dim -= 1; break;
    case M_DIM_HUGE: *dim = huge[(arg >> 3) % 8]; break;
    case M_DIM_DOUBLE: *dim *= 2; break;
    case M_DIMS_OF: {
        const fz_slot *other = &call->slots[arg % call->nslots];
        s->ndim = other->ndim;
        memcpy(s->dims, other->dims, sizeof s->dims);
        break;
    }
    default: break;
    }
}

static int new_buffer(fz_call *call, int foreign) {
    int b = call->nbuffers++;
    call->buffers[b].bytes = 0;
    call->buffers[b].foreign = foreign;
    return b;
}

/* Grows buffer b to hold `end` bytes and the guard after them. */
static void reserve(fz_call *call, int b, size_t end, size_t guard_after) {
    size_t need = end + guard_after;
    if (need < 1) need = 1;
    if (call->buffers[b].bytes < need) call->buffers[b].bytes = need;
}

/* Places slot `index` (its view already final) by placement perturbation m; guard_after 0: flush with the end. */
static void place(fz_call *call, int index, mutation m, uint8_t arg, size_t guard_before, size_t guard_after) {
    fz_slot *s = &call->slots[index];
    s->bytes = view_bytes(s);
    size_t room = s->bytes <= FZ_MAX_VIEW_BYTES ? s->bytes : 0; /* a larger view is left not to fit */
    if (m == M_NULL_BUFFER || !s->present) return;
    const fz_slot *other = index > 0 ? &call->slots[arg % index] : NULL;
    int on_other = other && other->buffer >= 0 && (m == M_ALIAS || m == M_OVERLAP || m == M_AFTER);
    if (on_other) {
        s->buffer = other->buffer;
        s->offset = other->offset;
        if (m == M_OVERLAP) s->offset += 4 * (1 + arg % 4);
        if (m == M_AFTER && other->bytes <= FZ_MAX_VIEW_BYTES) s->offset += (other->bytes + 7) & ~(size_t)7;
    } else {
        s->buffer = new_buffer(call, m == M_FOREIGN);
        s->offset = guard_before;
        if (guard_after == 0) s->offset += (64 - (guard_before + room) % 64) % 64;
        if (m == M_SHIFT) s->offset += 4 * (1 + arg % 8);
    }
    if (m == M_MISALIGN) s->offset += 1 + arg % 3;
    reserve(call, s->buffer, s->offset + room, guard_after);
}

/* The perturbations that break a placed view's buffer. */
static void break_buffer(fz_call *call, fz_slot *s, mutation m, uint8_t arg) {
    if (s->buffer < 0) return;
    fz_buffer *b = &call->buffers[s->buffer];
    size_t end = s->offset + (s->bytes <= FZ_MAX_VIEW_BYTES ? s->bytes : 0), cut = 1 + arg % 16;
    if (m == M_SHORT_BUFFER) b->bytes = end > cut ? end - cut : 1;
    if (m == M_PAST_END) s->offset = b->bytes + 4 * (arg % 3);
    if (m == M_HUGE_OFFSET) s->offset = arg & 1 ? SIZE_MAX - 4 * (arg % 8) : (size_t)1 << 63;
}

void fz_decode_layout(fz_input *in, fz_call *call) {
    static const size_t guards_before[] = {64, 0, 8, 32};
    static const size_t guards_after[] = {64, 0, 4, 16};
    uint8_t layout = fz_u8(in);
    size_t guard_before = guards_before[layout & 3], guard_after = guards_after[(layout >> 2) & 3];
    mutation chosen[FZ_MAX_SLOTS];
    uint8_t args[FZ_MAX_SLOTS];
    for (int i = 0; i < call->nslots; i++) {
        uint8_t b = fz_u8(in);
        chosen[i] = b >= MUTATE_FROM && b - MUTATE_FROM < M_NONE ? (mutation)(b - MUTATE_FROM) : M_NONE;
        args[i] = chosen[i] == M_NONE ? 0 : fz_u8(in);
        mutate_view(call, &call->slots[i], chosen[i], args[i]);
    }
    call->nbuffers = 0;
    for (int i = 0; i < call->nslots; i++) place(call, i, chosen[i], args[i], guard_before, guard_after);
    for (int i = 0; i < call->nslots; i++) break_buffer(call, &call->slots[i], chosen[i], args[i]);

    call->data_seed = fz_u32(in);
    uint8_t specials = fz_u8(in), bad_label = fz_u8(in);
    call->specials = specials >= 200 ? 1 + specials % 3 : 0;
    call->bad_label = bad_label >= 200 ? 1 + bad_label % 4 : 0;
}
