#ifndef SOCCER_COPENSSLCRYPTO_SHIM_H
#define SOCCER_COPENSSLCRYPTO_SHIM_H

// OpenSSL's message digests: SHA-256 with the CPU's SHA instructions where it has them.
#include <openssl/evp.h>

#endif
