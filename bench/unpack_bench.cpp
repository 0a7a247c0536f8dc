// kubik-unpack-bench TAR DIR: unpacks TAR (plain, gzip or zstd) into the
// empty directory DIR the way kubik unpacks a layer (TarReader + LayerRoot),
// then prints the seconds it took and both digests. bench/unpack-speed.sh
// compares it with GNU tar.
#include "core/error.hpp"
#include "image/layer_root.hpp"
#include "image/tar_reader.hpp"

#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <iostream>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: kubik-unpack-bench TAR DIR\n";
        return 2;
    }
    try {
        const auto start = std::chrono::steady_clock::now();
        kubik::UniqueFd fd(::open(argv[1], O_RDONLY | O_CLOEXEC));
        if (!fd) kubik::throw_errno(std::string("open ") + argv[1]);
        kubik::image::TarReader tar(fd.get(), std::string("archive ") + argv[1]);
        kubik::image::LayerRoot root(argv[2]);
        kubik::image::TarEntry entry;
        std::uint64_t entries = 0;
        while (tar.next(entry)) {
            root.extract(entry, tar);
            ++entries;
        }
        root.finish();
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        std::printf("%.3f s, %llu entries, %llu bytes read, %llu bytes of tar\n", took.count(),
                    static_cast<unsigned long long>(entries),
                    static_cast<unsigned long long>(tar.compressed_size()),
                    static_cast<unsigned long long>(tar.uncompressed_size()));
        std::printf("compressed digest %s\ndiff ID %s\n", tar.compressed_digest().c_str(), tar.diff_id().c_str());
        return 0;
    } catch (const kubik::Error& e) {
        std::cerr << "kubik-unpack-bench: " << e.what() << "\n";
        return 1;
    }
}
