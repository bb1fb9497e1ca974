// Asio's non-template code (the scheduler, the reactor, socket operations,
// error categories, the SSL engine), compiled once here instead of inline in
// every translation unit that includes Asio: BOOST_ASIO_SEPARATE_COMPILATION
// is a PUBLIC definition of smtp_net (harness/net/CMakeLists.txt). It cut an
// Asio-heavy unit's compile time by a quarter under the sanitizer preset.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
