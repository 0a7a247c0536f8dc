// Images in and out of the store as files: `kubik load`, `save` and
// `import` (and their `kubik image …` forms), with docker's messages.
#include "cli/commands.hpp"

#include "cli/container_args.hpp"
#include "cli/progress_bar.hpp"

#include "core/error.hpp"
#include "core/unique_fd.hpp"
#include "image/image_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>

namespace kubik::cli {
namespace {

UniqueFd open_input(const std::string& file) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("open " + file);
    return UniqueFd(fd);
}

// The store's progress callback, drawn as docker's "Loading layer" line.
Progress progress_of(ProgressBar& bar) {
    if (!bar.active()) return {};
    return [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
}

// --- load --------------------------------------------------------------------

struct LoadOptions {
    std::string input;
    bool quiet = false;
};

int load(const GlobalOptions& global, const LoadOptions& opts) {
    UniqueFd file;
    int fd = STDIN_FILENO;
    if (!opts.input.empty()) {
        file = open_input(opts.input);
        fd = file.get();
    } else if (::isatty(STDIN_FILENO) == 1) {
        throw Error("requested load from stdin, but stdin is empty", kExitGeneric);
    }
    std::vector<std::string> loaded;
    {
        ProgressBar bar("Loading layer", !opts.quiet);
        loaded = ImageStore(global.root_path()).load(fd, progress_of(bar));
        bar.finish();
    }
    for (const auto& ref : loaded)
        std::cout << (ref.rfind("sha256:", 0) == 0 ? "Loaded image ID: " : "Loaded image: ") << ref << "\n";
    return 0;
}

// --- save --------------------------------------------------------------------

struct SaveOptions {
    std::string output;
    std::vector<std::string> images;
};

// The archive goes to a temp file beside FILE, renamed over it once
// complete: a failed save leaves no half archive under the name.
class OutputFile {
public:
    explicit OutputFile(const std::string& path) : path_(path) {
        std::random_device rd;
        auto dir = std::filesystem::absolute(path_).parent_path();
        tmp_ = dir / ("." + path_.filename().string() + ".tmp-" + std::to_string(rd()));
        int fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) throw_errno("failed to save image: create " + tmp_.string(), -1);
        fd_ = UniqueFd(fd);
    }
    ~OutputFile() {
        if (!committed_) ::unlink(tmp_.c_str());
    }
    int fd() const { return fd_.get(); }
    void commit() {
        if (::fsync(fd_.get()) != 0) throw_errno("failed to save image: sync " + tmp_.string());
        fd_.reset();
        if (::rename(tmp_.c_str(), path_.c_str()) != 0) throw_errno("failed to save image: rename to " + path_.string());
        committed_ = true;
    }

private:
    std::filesystem::path path_, tmp_;
    UniqueFd fd_;
    bool committed_ = false;
};

int save(const GlobalOptions& global, const SaveOptions& opts) {
    ImageStore store(global.root_path());
    // Every name must exist before a byte is written (docker's order).
    for (const auto& ref : opts.images) store.find(ref);
    ProgressBar bar("Saving layer");
    if (opts.output.empty()) {
        if (::isatty(STDOUT_FILENO) == 1)
            throw Error("cowardly refusing to save to a terminal. Use the -o flag or redirect", kExitGeneric);
        store.save(opts.images, STDOUT_FILENO, progress_of(bar));
    } else {
        OutputFile out(opts.output);
        store.save(opts.images, out.fd(), progress_of(bar));
        out.commit();
    }
    bar.finish();
    return 0;
}

// --- import --------------------------------------------------------------------

struct ImportOptions {
    std::string file, reference;
};

int import(const GlobalOptions& global, const ImportOptions& opts) {
    // The name is checked before the (maybe long) read.
    ImageRef ref;
    if (!opts.reference.empty()) ref = ImageRef::parse(opts.reference);
    UniqueFd file;
    int fd = STDIN_FILENO;
    if (opts.file != "-") {
        file = open_input(opts.file);
        fd = file.get();
    }
    Image image;
    {
        ProgressBar bar("Importing");
        image = ImageStore(global.root_path()).import(fd, ref, progress_of(bar));
        bar.finish();
    }
    std::cout << image.id << "\n";
    return 0;
}

} // namespace

void add_transfer_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto* image = app.get_subcommand("image");
    for (auto* parent : {&app, image}) {
        const std::string prefix = parent == &app ? "kubik " : "kubik image ";

        auto load_opts = std::make_shared<LoadOptions>();
        auto* load_cmd = add_command(*parent, "load", "Load an image from a tar archive or STDIN",
                                     prefix + "load [OPTIONS]");
        load_cmd->add_option("-i,--input", load_opts->input, "Read from tar archive file, instead of STDIN")
            ->type_name("string");
        load_cmd->add_flag("-q,--quiet", load_opts->quiet, "Suppress the load output");
        load_cmd->callback([&global, &action, load_opts] {
            action = exit_one_on_error([&global, load_opts] { return load(global, *load_opts); });
        });

        auto save_opts = std::make_shared<SaveOptions>();
        auto* save_cmd = add_command(*parent, "save",
                                     "Save one or more images to a tar archive (streamed to STDOUT by default)",
                                     prefix + "save [OPTIONS] IMAGE [IMAGE...]");
        save_cmd->add_option("-o,--output", save_opts->output, "Write to a file, instead of STDOUT")
            ->type_name("string");
        save_cmd->add_option("IMAGE", save_opts->images, "Image name or ID")->required();
        save_cmd->callback([&global, &action, save_opts] {
            action = exit_one_on_error([&global, save_opts] { return save(global, *save_opts); });
        });

        auto import_opts = std::make_shared<ImportOptions>();
        auto* import_cmd = add_command(*parent, "import",
                                       "Import the contents from a tarball to create a filesystem image",
                                       prefix + "import [OPTIONS] file|- [REPOSITORY[:TAG]]");
        import_cmd->add_option("file", import_opts->file, "A root filesystem tarball, or - for STDIN")->required();
        import_cmd->add_option("REPOSITORY", import_opts->reference, "Name[:tag] of the new image");
        import_cmd->callback([&global, &action, import_opts] {
            action = exit_one_on_error([&global, import_opts] { return import(global, *import_opts); });
        });
    }
}

} // namespace kubik::cli
