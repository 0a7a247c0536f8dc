// Container ids and names, docker style.
#pragma once

#include <string>

namespace kubik {

/// 64 random hex digits (256 bits from getrandom), like docker's ids.
std::string generate_container_id();
/// "adjective_scientist", like docker's generated names.
std::string generate_container_name();
/// Throws kubik::Error (125) unless `name` matches [a-zA-Z0-9][a-zA-Z0-9_.-]+.
void validate_container_name(const std::string& name);

} // namespace kubik
