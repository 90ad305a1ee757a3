/*
 * conv_geometry.cl — the geometry of a conv2d as kernels take it: one int16
 * argument `g` and names for its lanes (conv2d.cl, conv2d_direct.cl).
 *
 *   g.s0..s3 = N, C, H, W      g.s4..s6 = O, OH, OW     g.s7, s8 = KH, KW
 *   g.s9, sa = stride h, w     g.sb, sc = pad top, left  g.sd, se = dilation h, w
 *   g.sf = groups
 * x: (N, C, H, W); w: (O, C/G, KH, KW); y: (N, O, OH, OW). Tap (kh, kw) of
 * output (oh, ow) reads input (oh*SH - PT + kh*DH, ow*SW - PL + kw*DW).
 * Defines: none.
 */
#define GN g.s0
#define GC g.s1
#define GH g.s2
#define GW g.s3
#define GO g.s4
#define GOH g.s5
#define GOW g.s6
#define GKH g.s7
#define GKW g.s8
#define GSH g.s9
#define GSW g.sa
#define GPT g.sb
#define GPL g.sc
#define GDH g.sd
#define GDW g.se
#define GG g.sf
