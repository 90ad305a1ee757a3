/* zlib for Swift (ConvKitData reads gzipped IDX files through it). */
#include <zlib.h>
