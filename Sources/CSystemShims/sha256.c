// SHA-256 of a file through OpenSSL's libcrypto (the system's, from libssl-dev): the digest a
// built peer's cache entry records and checks before the binary runs.
#include "CSystemShims.h"

#include <errno.h>
#include <openssl/evp.h>
#include <unistd.h>

int CSystemShims_sha256OfFile(int fd, unsigned char digest[32]) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context == NULL) { errno = ENOMEM; return -1; }
    int failed = EVP_DigestInit_ex(context, EVP_sha256(), NULL) != 1;
    unsigned char buffer[1 << 16];
    while (!failed) {
        ssize_t count = read(fd, buffer, sizeof buffer);
        if (count == 0) break;
        if (count < 0) {
            if (errno == EINTR) continue;
            failed = 1;
            break;
        }
        if (EVP_DigestUpdate(context, buffer, (size_t)count) != 1) { errno = EIO; failed = 1; }
    }
    unsigned int length = 0;
    if (!failed && (EVP_DigestFinal_ex(context, digest, &length) != 1 || length != 32)) { errno = EIO; failed = 1; }
    int saved = errno;
    EVP_MD_CTX_free(context);
    errno = saved;
    return failed ? -1 : 0;
}
