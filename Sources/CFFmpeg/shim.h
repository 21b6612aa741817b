#ifndef SOCCER_CFFMPEG_SHIM_H
#define SOCCER_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libavutil/opt.h>
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

// A swscale context as sws_getContext makes one, converting with `threads` slice threads
// (sws_getContext has no way to ask for them); NULL when swscale refuses the conversion.
static inline struct SwsContext *soccer_sws_context(int srcW, int srcH, enum AVPixelFormat srcFormat, int dstW,
                                                    int dstH, enum AVPixelFormat dstFormat, int flags, int threads) {
  struct SwsContext *c = sws_alloc_context();
  if (!c) return NULL;
  if (av_opt_set_int(c, "srcw", srcW, 0) < 0 || av_opt_set_int(c, "srch", srcH, 0) < 0 ||
      av_opt_set_pixel_fmt(c, "src_format", srcFormat, 0) < 0 || av_opt_set_int(c, "dstw", dstW, 0) < 0 ||
      av_opt_set_int(c, "dsth", dstH, 0) < 0 || av_opt_set_pixel_fmt(c, "dst_format", dstFormat, 0) < 0 ||
      av_opt_set_int(c, "sws_flags", flags, 0) < 0 || av_opt_set_int(c, "threads", threads, 0) < 0 ||
      sws_init_context(c, NULL, NULL) < 0) {
    sws_freeContext(c);
    return NULL;
  }
  return c;
}

static void soccer_keep_buffer(void *opaque, uint8_t *data) {
  (void)opaque;
  (void)data;
}

// Converts `src` into the packed buffer `dst` (`rowBytes` a row, `size` bytes in all) through
// sws_scale_frame, whose slice threads the context's `threads` runs on; the buffer stays the
// caller's. Returns 0 or an AVERROR.
static inline int soccer_sws_scale_into(struct SwsContext *c, const AVFrame *src, uint8_t *dst, int rowBytes,
                                        int dstW, int dstH, enum AVPixelFormat dstFormat, size_t size) {
  AVFrame *out = av_frame_alloc();
  if (!out) return AVERROR(ENOMEM);
  out->buf[0] = av_buffer_create(dst, size, soccer_keep_buffer, NULL, 0);
  if (!out->buf[0]) {
    av_frame_free(&out);
    return AVERROR(ENOMEM);
  }
  out->data[0] = dst;
  out->linesize[0] = rowBytes;
  out->width = dstW;
  out->height = dstH;
  out->format = dstFormat;
  int ret = sws_scale_frame(c, out, src);
  av_frame_free(&out);
  return ret < 0 ? ret : 0;
}

#endif
