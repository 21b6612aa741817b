#ifndef SOCCER_IMAGE_CODECS_SHIM_H
#define SOCCER_IMAGE_CODECS_SHIM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>
#include <png.h>

/// A zeroed png_image of this libpng's version.
static inline png_image soccer_png_image(void) {
  png_image image;
  memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  return image;
}

/// PNG_IMAGE_PNG_SIZE_MAX for an 8-bit image of `channels` (1 or 3) channels: the most bytes
/// libpng's simplified writer can need, so one buffer of this size always holds the file.
static inline size_t soccer_png_size_max(png_uint_32 width, png_uint_32 height, int channels) {
  png_image image = soccer_png_image();
  image.width = width;
  image.height = height;
  image.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  return PNG_IMAGE_PNG_SIZE_MAX(image);
}

/// Writes an 8-bit gray, RGB or BGR image as PNG into `memory` (`*size` bytes, set to the bytes
/// written), fast compression; returns 0, or -1 with libpng's message in `message`.
static inline int soccer_png_encode(
    const void *pixels, png_uint_32 width, png_uint_32 height, int channels, int bgr, void *memory, size_t *size,
    char *message, size_t message_size) {
  png_image image = soccer_png_image();
  image.width = width;
  image.height = height;
  image.format = channels == 1 ? PNG_FORMAT_GRAY : (bgr ? PNG_FORMAT_BGR : PNG_FORMAT_RGB);
  image.flags = PNG_IMAGE_FLAG_FAST;
  png_alloc_size_t bytes = *size;
  int ok = png_image_write_to_memory(&image, memory, &bytes, 0, pixels, 0, NULL);
  if (!ok) {
    snprintf(message, message_size, "%s", image.message);
    png_image_free(&image);
    return -1;
  }
  *size = bytes;
  return 0;
}

/// Reads a PNG file's size; returns 0, or -1 with libpng's message.
static inline int soccer_png_size(
    const void *file, size_t file_size, png_uint_32 *width, png_uint_32 *height, char *message,
    size_t message_size) {
  png_image image = soccer_png_image();
  if (!png_image_begin_read_from_memory(&image, file, file_size)) {
    snprintf(message, message_size, "%s", image.message);
    return -1;
  }
  *width = image.width;
  *height = image.height;
  png_image_free(&image);
  return 0;
}

/// Decodes a PNG file into `pixels` as 8-bit gray, RGB or BGR of `width` x `height` (the file
/// must be that size); returns 0, or -1 with libpng's message.
static inline int soccer_png_decode(
    const void *file, size_t file_size, void *pixels, png_uint_32 width, png_uint_32 height, int channels,
    int bgr, char *message, size_t message_size) {
  png_image image = soccer_png_image();
  if (!png_image_begin_read_from_memory(&image, file, file_size)) {
    snprintf(message, message_size, "%s", image.message);
    return -1;
  }
  if (image.width != width || image.height != height) {
    snprintf(message, message_size, "the PNG is %ux%u, not %ux%u", image.width, image.height, width, height);
    png_image_free(&image);
    return -1;
  }
  image.format = channels == 1 ? PNG_FORMAT_GRAY : (bgr ? PNG_FORMAT_BGR : PNG_FORMAT_RGB);
  if (!png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
    snprintf(message, message_size, "%s", image.message);
    png_image_free(&image);
    return -1;
  }
  return 0;
}

#endif
