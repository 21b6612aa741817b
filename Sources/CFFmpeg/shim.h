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

#endif
