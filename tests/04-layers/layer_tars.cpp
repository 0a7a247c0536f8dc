#include "layer_tars.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

namespace kubik::test::layers4 {

namespace {

// Python's tarfile and hashlib: a second, independent implementation of the
// formats kubik reads, so a test never checks kubik against itself.
constexpr const char* kMakeTars = R"PY(
import hashlib, io, json, os, sys, tarfile

def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            kind = e.get("type", "file")
            info = tarfile.TarInfo(e["name"])
            info.mtime = e.get("mtime", 1700000000)
            info.uid = e.get("uid", 0)
            info.gid = e.get("gid", 0)
            data = None
            if kind == "file":
                if "src" in e:
                    with open(e["src"], "rb") as f:
                        data = f.read()
                else:
                    data = e.get("data", "").encode()
                info.size = len(data)
                info.mode = e.get("mode", 0o644)
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
                info.mode = e.get("mode", 0o755)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = e["target"]
                info.mode = 0o777
            elif kind == "hardlink":
                info.type = tarfile.LNKTYPE
                info.linkname = e["target"]
                info.mode = e.get("mode", 0o644)
            elif kind == "char":
                info.type = tarfile.CHRTYPE
                info.devmajor = e.get("major", 0)
                info.devminor = e.get("minor", 0)
                info.mode = e.get("mode", 0o600)
            elif kind == "fifo":
                info.type = tarfile.FIFOTYPE
                info.mode = e.get("mode", 0o644)
            else:
                raise SystemExit("unknown entry type " + kind)
            if "xattrs" in e:
                info.pax_headers = {"SCHILY.xattr." + k: v for k, v in e["xattrs"].items()}
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()

def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()

mode, out = sys.argv[1], sys.argv[2]
spec = json.load(sys.stdin)
if mode == "tar":
    with open(out, "wb") as f:
        f.write(tar_bytes(spec))
    sys.exit(0)

faults = spec.get("faults", {})
layers = [tar_bytes(entries) for entries in spec["layers"]]
diff_ids = [sha(b) for b in layers]
config_diff_ids = list(diff_ids)
for index, digest in faults.get("diff_id", {}).items():
    config_diff_ids[int(index)] = digest
config = {
    "architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
    "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]},
    "rootfs": {"type": "layers", "diff_ids": config_diff_ids},
    "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "layer %d" % i} for i in range(len(layers))],
}
config_bytes = json.dumps(config, sort_keys=True).encode()
config_digest = sha(config_bytes)
files = []
with tarfile.open(out, mode="w", format=tarfile.PAX_FORMAT) as archive:
    def add(name, data):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o644
        info.mtime = 1700000000
        archive.addfile(info, io.BytesIO(data))
    for i, data in enumerate(layers):
        name = diff_ids[i][7:] + "/layer.tar"
        files.append(name)
        if faults.get("missing") == i:
            continue
        if faults.get("truncate") == i:
            data = data[: len(data) // 2 + 100]
        if faults.get("corrupt") == i:
            data = b"\xff" * 300 + data[300:]
        add(name, data)
    add(config_digest[7:] + ".json", config_bytes)
    manifest = [{"Config": config_digest[7:] + ".json", "RepoTags": [spec["tag"]], "Layers": files}]
    add("manifest.json", json.dumps(manifest).encode())
json.dump({"diff_ids": diff_ids, "config_digest": config_digest}, sys.stdout)
)PY";

std::string run_python(const std::string& mode, const fs::path& out, const json& spec) {
    RunOptions options;
    options.stdin_data = spec.dump();
    auto r = run({"/usr/bin/python3", "-c", kMakeTars, mode, out.string()}, options);
    if (r.exit_code != 0) ADD_FAILURE() << "making " << out << " with python3 failed\n" << r.describe();
    return r.out;
}

std::string hash_bytes(const std::string& data) {
    // FNV-1a: only to tell contents apart in a listing, not a security hash.
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : data) h = (h ^ c) * 1099511628211ull;
    std::ostringstream s;
    s << std::hex << h;
    return s.str();
}

constexpr const char* kTopLayer = R"PY(
import io, json, sys, tarfile
archive = tarfile.open(sys.argv[1])
def read(name):
    return archive.extractfile(name).read()
names = archive.getnames()
if "manifest.json" in names:
    layer = json.loads(read("manifest.json"))[0]["Layers"][-1]
else:
    index = json.loads(read("index.json"))
    digest = index["manifests"][0]["digest"]
    manifest = json.loads(read("blobs/sha256/" + digest[7:]))
    if "manifests" in manifest:
        manifest = json.loads(read("blobs/sha256/" + manifest["manifests"][0]["digest"][7:]))
    layer = "blobs/sha256/" + manifest["layers"][-1]["digest"][7:]
out = "\n"
with tarfile.open(fileobj=io.BytesIO(read(layer))) as tar:
    for member in tar.getmembers():
        name = member.name[2:] if member.name.startswith("./") else member.name
        out += name + "\n"
        for key in member.pax_headers:
            if key.startswith("SCHILY.xattr."):
                out += name + " xattr " + key[len("SCHILY.xattr."):] + "\n"
sys.stdout.write(out)
)PY";

} // namespace

std::string top_layer_entries(const fs::path& archive) {
    auto r = run({"/usr/bin/python3", "-c", kTopLayer, archive.string()});
    if (r.exit_code != 0) ADD_FAILURE() << "reading " << archive << " with python3 failed\n" << r.describe();
    return r.out;
}

void write_tar(const fs::path& out, const json& entries) { run_python("tar", out, entries); }

json busybox_entries() {
    json entries = json::array();
    entries.push_back({{"name", "bin/"}, {"type", "dir"}});
    entries.push_back({{"name", "bin/busybox"}, {"src", busybox_binary()}, {"mode", 0755}});
    for (const char* applet : {"sh", "ls", "cat", "echo", "test", "sleep", "true", "rm", "mkdir", "touch", "stat",
                               "find", "sort", "wc", "ln", "mv", "cp", "[", "env", "id"})
        entries.push_back({{"name", std::string("bin/") + applet}, {"type", "symlink"}, {"target", "busybox"}});
    for (const char* dir : {"etc/", "tmp/", "proc/", "dev/", "sys/", "root/"})
        entries.push_back({{"name", dir}, {"type", "dir"}});
    entries.push_back({{"name", "etc/passwd"}, {"data", "root:x:0:0:root:/root:/bin/sh\n"}});
    return entries;
}

Archive make_archive(const fs::path& out, const std::string& tag, const std::vector<json>& layers,
                     const json& faults) {
    json spec{{"tag", tag}, {"layers", layers}, {"faults", faults}};
    Archive archive;
    try {
        auto result = json::parse(run_python("archive", out, spec));
        archive.diff_ids = result.at("diff_ids").get<std::vector<std::string>>();
        archive.config_digest = result.at("config_digest").get<std::string>();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "reading what python3 made of " << out << ": " << e.what();
    }
    archive.chain_ids = chain_ids_of(archive.diff_ids);
    return archive;
}

std::string sha256_of_text(const std::string& text) {
    RunOptions options;
    options.stdin_data = text;
    auto r = run({"/usr/bin/sha256sum"}, options);
    if (r.exit_code != 0 || r.out.size() < 64) {
        ADD_FAILURE() << "sha256sum failed\n" << r.describe();
        return "";
    }
    return "sha256:" + r.out.substr(0, 64);
}

std::vector<std::string> chain_ids_of(const std::vector<std::string>& diff_ids) {
    std::vector<std::string> chain;
    for (const auto& id : diff_ids)
        chain.push_back(chain.empty() ? id : sha256_of_text(chain.back() + " " + id));
    return chain;
}

std::string hex_of(const std::string& digest) {
    return digest.rfind("sha256:", 0) == 0 ? digest.substr(7) : digest;
}

std::vector<std::string> tree_listing(const fs::path& dir, bool directory_mtimes) {
    std::vector<std::string> lines;
    std::function<void(const fs::path&, const std::string&)> walk = [&](const fs::path& d, const std::string& rel) {
        std::error_code ec;
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(d, ec)) names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        for (const auto& name : names) {
            const fs::path p = d / name;
            const std::string path = rel + name;
            struct stat st {};
            if (::lstat(p.c_str(), &st) != 0) {
                lines.push_back(path + " (gone while listed)");
                continue;
            }
            std::ostringstream line;
            line << path << " mode=" << std::oct << st.st_mode << std::dec << " owner=" << st.st_uid << ":"
                 << st.st_gid;
            if (directory_mtimes || !S_ISDIR(st.st_mode)) line << " mtime=" << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec;
            if (S_ISREG(st.st_mode)) {
                std::ifstream in(p, std::ios::binary);
                std::ostringstream data;
                data << in.rdbuf();
                line << " size=" << st.st_size << " content=" << hash_bytes(data.str()) << " links=" << st.st_nlink;
            } else if (S_ISLNK(st.st_mode)) {
                line << " -> " << fs::read_symlink(p, ec).string();
            } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
                line << " dev=" << major(st.st_rdev) << ":" << minor(st.st_rdev);
            }
            char names_buf[4096];
            const ssize_t n = ::llistxattr(p.c_str(), names_buf, sizeof names_buf);
            for (ssize_t i = 0; i < n;) {
                const std::string key(names_buf + i);
                i += static_cast<ssize_t>(key.size()) + 1;
                char value[4096];
                const ssize_t v = ::lgetxattr(p.c_str(), key.c_str(), value, sizeof value);
                line << " xattr:" << key << "=" << (v >= 0 ? std::string(value, static_cast<size_t>(v)) : "?");
            }
            lines.push_back(line.str());
            if (S_ISDIR(st.st_mode)) walk(p, path + "/");
        }
    };
    walk(dir, "");
    return lines;
}

std::string listing_diff(const std::vector<std::string>& before, const std::vector<std::string>& after) {
    const std::set<std::string> a(before.begin(), before.end()), b(after.begin(), after.end());
    std::string out;
    for (const auto& line : a)
        if (!b.count(line)) out += "- " + line + "\n";
    for (const auto& line : b)
        if (!a.count(line)) out += "+ " + line + "\n";
    return out;
}

std::string overlay_options_of(const std::string& pid, const std::string& mount_point) {
    for (const auto& m : mounts_of(pid)) {
        if (m.fs_type != "overlay" || m.mount_point != mount_point) continue;
        // The super options are the last field after " - TYPE SOURCE ".
        const auto dash = m.line.find(" - ");
        if (dash == std::string::npos) continue;
        std::istringstream rest(m.line.substr(dash + 3));
        std::string type, source, super_options;
        rest >> type >> source >> super_options;
        return super_options;
    }
    return "";
}

std::string option_value(const std::string& options, const std::string& key) {
    for (const auto& option : split(options, ','))
        if (option.rfind(key + "=", 0) == 0) return option.substr(key.size() + 1);
    return "";
}

std::vector<std::string> split(const std::string& value, char sep) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(value);
    while (std::getline(in, part, sep)) parts.push_back(part);
    return parts;
}

} // namespace kubik::test::layers4
