#ifndef SOCCER_CFFMPEG_SHIM_H
#define SOCCER_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <errno.h>

// AVERROR() and AVERROR_EOF are macros Swift cannot import.
static inline int soccer_averror_again(void) { return AVERROR(EAGAIN); }
static inline int soccer_averror_eof(void) { return AVERROR_EOF; }
static inline int64_t soccer_av_nopts_value(void) { return AV_NOPTS_VALUE; }
// What an HTTP origin answered, as FFmpeg reports it.
static inline int soccer_averror_http_not_found(void) { return AVERROR_HTTP_NOT_FOUND; }
static inline int soccer_averror_http_forbidden(void) { return AVERROR_HTTP_FORBIDDEN; }
static inline int soccer_averror_http_other_4xx(void) { return AVERROR_HTTP_OTHER_4XX; }
static inline int soccer_averror_http_server_error(void) { return AVERROR_HTTP_SERVER_ERROR; }

#endif
