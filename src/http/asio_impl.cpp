// The one translation unit that compiles Asio, Asio SSL and Beast (separate compilation is
// defined globally in the top-level CMakeLists.txt), so other files only include declarations.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
