// Lesson 4 — layers: the chain ID, the name of a layer directory. Read lessons/04-layers/README.md first.
//
// A diff ID names a layer's changes alone; the same tar may sit on top of
// different layers in two images, and unpacked it means something different in
// each. The chain ID names the whole stack up to a layer, so the directory
// unpacked for it can be shared by every image whose stack starts the same way.
#include "layers.hpp"

#include "core/error.hpp"
#include "core/not_implemented.hpp"
#include "core/sha256.hpp"

namespace kubik::layers {

std::string chain_id(const std::vector<std::string>& diff_ids) {
    // TODO: the bottom layer's chain ID is its diff ID; each layer above is
    // sha256_digest(chain ID below + " " + its diff ID), as the OCI image spec
    // (config.md, "Layer ChainID") defines it. No layers: throw kubik::Error.
    throw kubik::NotImplemented("not implemented yet: lesson 4 (layers) — chain_id(); see lessons/04-layers/README.md (по-русски: README.ru.md)");
}

} // namespace kubik::layers
