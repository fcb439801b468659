#include <zlib.h>

/* inflateInit2 is a macro in zlib.h, which Swift cannot call: wrap it. 15 + 32 = zlib or gzip header auto-detect. */
static inline int czlib_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}
