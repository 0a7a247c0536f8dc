// The parent's side of the start pipeline: `kubik run` in the foreground.
#pragma once

#include "container/container_spec.hpp"
#include "container/container_store.hpp"

namespace kubik {

/// Starts the container described by `spec` in the directory `record` owns,
/// relays its terminal (-t), forwards signals sent to kubik, waits for it to
/// end and returns docker's exit code for `run`: the command's, 125/126/127
/// when it could not start (the reason is printed), 128+N when killed.
int run_container(const ContainerSpec& spec, ContainerRecord& record);

} // namespace kubik
