// Lesson 4's fixture for the checks that go through the kubik binary.
#pragma once

#include "kubik_test.hpp"
#include "layer_tars.hpp"

#include <string>
#include <vector>

namespace kubik::test::layers4 {

/// A state root of its own (KubikTest), after the gate: the lesson's
/// functions are written (a stub's "not implemented" fails the test in words,
/// before anything else), and no kubik command of the test may say lesson 4
/// was skipped.
class Lesson4Test : public KubikTest {
protected:
    void SetUp() override;
    RunResult kubik(const std::vector<std::string>& args, const RunOptions& options = {}) override;

    /// Makes a docker-save archive of `layers` (see make_archive) in the
    /// test's scratch place and loads it with `kubik load -i`; fails the test
    /// when the load fails.
    Archive load_image(const std::string& tag, const std::vector<json>& layers);
    /// A path for a file of the test's own, outside the state root's store.
    fs::path scratch_file(const std::string& name) const { return root_ / "scratch" / name; }
    /// ROOT/store/layers/HEX/diff of the layer with this chain ID.
    fs::path layer_dir(const std::string& chain_id) const;
    /// The pid of a running container's init, from `kubik inspect`.
    pid_t container_pid(const std::string& name);
    /// The overlay mounted at a container's "/" (its init's mountinfo).
    std::string root_overlay_options(const std::string& name);
    /// `kubik rm -f` of every container the test started; call before it ends.
    void remove_containers(const std::vector<std::string>& names);
};

/// An entry of a file with `data` (write_tar() form).
json file_entry(const std::string& name, const std::string& data);
/// A directory entry.
json dir_entry(const std::string& name);
/// An empty file: the OCI markers ".wh.NAME" and ".wh..wh..opq" take this form.
json marker_entry(const std::string& name);

} // namespace kubik::test::layers4
