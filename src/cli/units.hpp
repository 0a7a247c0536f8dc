// Docker's units on the command line: sizes ("64m", "1.5g") and signals ("TERM", "9").
#pragma once

#include <cstdint>
#include <string>

namespace kubik::cli {

/// Parses a size the way docker's --memory does: a number, optionally with
/// a fraction, then an optional unit b, k, m, g, t or p (powers of 1024,
/// either case, with an optional trailing "b"/"ib"). "12q" → kubik::Error
/// "invalid size: '12q'".
int64_t parse_ram_bytes(const std::string& text);

/// Parses a signal as docker's --signal does: "KILL", "SIGKILL", "kill", "9",
/// "SIGRTMIN+3", "RTMAX-1".
/// Throws kubik::Error "invalid signal: X" for anything else.
int parse_signal(const std::string& text);

/// Docker's decimal sizes (go-units HumanSizeWithPrecision): `precision`
/// significant digits and units of 1000, "0B", "812kB", "4.26MB", "1.2GB".
/// `docker images` and `history` use 3 digits, `system df` 4.
std::string human_size(double bytes, int precision = 3);

} // namespace kubik::cli
