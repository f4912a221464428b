// CZeroMQ: the C view of libzmq (Debian's libzmq3-dev) that Sources/ZeroMQ wraps.
// Everything Swift needs is a plain function or an integer macro, which Swift imports
// directly (zmq_errno() reads errno for us), so no CZeroMQ_ helpers are needed yet.
// Add `static inline CZeroMQ_*` helpers here only for macro-only or variadic parts.
#ifndef CZEROMQ_SHIM_H
#define CZEROMQ_SHIM_H

#include <errno.h>
#include <zmq.h>

#endif
