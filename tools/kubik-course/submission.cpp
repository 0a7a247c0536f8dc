#include "submission.hpp"
#include "i18n.hpp"

#include "subprocess.hpp"

#include "core/unique_fd.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <set>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace kubik::course {

namespace {

using Fd = kubik::UniqueFd;

bool is_within(const fs::path& inner, const fs::path& outer) {
    const auto rel = inner.lexically_normal().lexically_relative(outer.lexically_normal());
    return !rel.empty() && *rel.begin() != ".." && !rel.is_absolute();
}

// The path a descriptor refers to, as the kernel resolved it.
fs::path fd_path(int fd) {
    std::error_code ec;
    auto path = fs::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
    return ec ? fs::path() : path;
}

std::string kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return _("a folder");
    if (S_ISFIFO(mode)) return _("a named pipe");
    if (S_ISSOCK(mode)) return _("a socket");
    if (S_ISCHR(mode) || S_ISBLK(mode)) return _("a device");
    if (S_ISLNK(mode)) return _("a symbolic link");
    return _("not a regular file");
}

// "is a symbolic link ..." for the link `name` in the folder `dir_fd`; "is in
// FOLDER, which is a symbolic link ..." when `folder` (the link) isn't the file.
std::string describe_link(int dir_fd, const std::string& name, const fs::path& root, const std::string& folder) {
    std::array<char, 4096> buffer{};
    const auto n = readlinkat(dir_fd, name.c_str(), buffer.data(), buffer.size() - 1);
    const std::string target = n > 0 ? std::string(buffer.data(), static_cast<std::size_t>(n)) : "?";
    const fs::path target_path(target);
    const auto resolved = target_path.is_absolute() ? target_path : fd_path(dir_fd) / target_path;
    std::error_code ec;
    auto canonical = fs::weakly_canonical(resolved, ec);
    if (ec) canonical = resolved.lexically_normal();
    if (!is_within(canonical, root)) {
        return folder.empty()
                   ? formatted(_("is a symbolic link pointing outside the submission (to %s); it was not followed"),
                               target.c_str())
                   : formatted(_("is in %s, which is a symbolic link pointing outside the submission (to %s); it was "
                                 "not followed"),
                               folder.c_str(), target.c_str());
    }
    return folder.empty()
               ? formatted(_("is a symbolic link (to %s); only regular files are accepted"), target.c_str())
               : formatted(_("is in %s, which is a symbolic link (to %s); only regular files are accepted"),
                           folder.c_str(), target.c_str());
}

std::string size_text(std::size_t bytes) {
    if (bytes >= (1u << 20)) return formatted(_("%zu MiB"), bytes >> 20);
    if (bytes >= 1024) return formatted(_("%zu KiB"), bytes >> 10);
    return formatted(ngettext("%zu byte", "%zu bytes", bytes), bytes);
}

// Reads exercises/<relative> below `root_fd` without following any symbolic
// link, one path component at a time.
SubmittedFile read_file_below(int root_fd, const fs::path& root, const fs::path& relative, const ReadLimits& limits) {
    SubmittedFile file;
    file.relative = relative;
    std::vector<std::string> parts{"exercises"};
    for (const auto& part : relative) parts.push_back(part.string());
    for (const auto& part : parts) {
        if (part.empty() || part == "." || part == ".." || part.find('/') != std::string::npos) {
            file.state = FileState::refused;
            file.problem = _("has an invalid path");
            return file;
        }
    }

    Fd dir(dup(root_fd));
    std::string shown;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto& name = parts[i];
        shown += (shown.empty() ? "" : "/") + name;
        const bool last = i + 1 == parts.size();
        struct stat st {};
        if (fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT || errno == ENOTDIR) return file; // missing
            file.state = FileState::refused;
            file.problem = formatted(_("cannot be read: %s"), std::strerror(errno));
            return file;
        }
        if (S_ISLNK(st.st_mode)) {
            file.state = FileState::refused;
            file.problem = describe_link(dir.get(), name, root, last ? std::string() : shown);
            return file;
        }
        if (!last) {
            if (!S_ISDIR(st.st_mode)) {
                file.state = FileState::refused;
                file.problem = formatted(_("is in %s, which is %s, not a folder"), shown.c_str(), kind_of(st.st_mode).c_str());
                return file;
            }
            Fd next(openat(dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (next.get() < 0) {
                file.state = FileState::refused;
                file.problem = formatted(_("cannot be read: %s: %s"), shown.c_str(), std::strerror(errno));
                return file;
            }
            dir = std::move(next);
            continue;
        }
        if (!S_ISREG(st.st_mode)) {
            file.state = FileState::refused;
            file.problem = formatted(_("is %s, not a regular file"), kind_of(st.st_mode).c_str());
            return file;
        }
        if (static_cast<std::size_t>(st.st_size) > limits.max_file_size) {
            file.state = FileState::refused;
            file.problem = formatted(_("is %s, more than the limit of %s"),
                                     size_text(static_cast<std::size_t>(st.st_size)).c_str(),
                                     size_text(limits.max_file_size).c_str());
            return file;
        }
        Fd fd(openat(dir.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
        struct stat opened {};
        if (fd.get() < 0 || fstat(fd.get(), &opened) != 0 || !S_ISREG(opened.st_mode)) {
            file.state = FileState::refused;
            file.problem = fd.get() < 0 ? formatted(_("cannot be read: %s"), std::strerror(errno)) : std::string(_("cannot be read"));
            return file;
        }
        // Belt and braces: where the kernel says the file is.
        if (const auto real = fd_path(fd.get()); real.empty() || !is_within(real, root)) {
            file.state = FileState::refused;
            file.problem = _("lies outside the submission");
            return file;
        }
        std::string content;
        char buffer[65536];
        for (;;) {
            const auto n = read(fd.get(), buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                file.state = FileState::refused;
                file.problem = formatted(_("cannot be read: %s"), std::strerror(errno));
                return file;
            }
            if (n == 0) break;
            content.append(buffer, static_cast<std::size_t>(n));
            if (content.size() > limits.max_file_size) {
                file.state = FileState::refused;
                file.problem = formatted(_("is more than the limit of %s"), size_text(limits.max_file_size).c_str());
                return file;
            }
        }
        file.state = FileState::ok;
        file.content = std::move(content);
        return file;
    }
    return file;
}

std::vector<std::string> ignored_below(const fs::path& root, const std::set<fs::path>& owned, std::size_t limit) {
    std::vector<std::string> ignored;
    const auto exercises = root / "exercises";
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(exercises, ec))) return ignored;
    std::size_t seen = 0;
    for (fs::recursive_directory_iterator it(exercises, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        if (++seen > 10000) break;
        const auto status = it->symlink_status(ec);
        if (fs::is_directory(status)) continue;
        const auto relative = it->path().lexically_relative(exercises);
        if (owned.contains(relative)) continue;
        if (ignored.size() < limit) ignored.push_back("exercises/" + relative.string());
    }
    return ignored;
}

SubmissionContents read_directory(const SubmissionSpec& spec, const std::vector<fs::path>& owned,
                                  const ReadLimits& limits) {
    SubmissionContents contents;
    std::error_code ec;
    const auto root = fs::canonical(spec.path, ec);
    if (ec) {
        contents.error = formatted(_("cannot open %s: %s"), spec.path.c_str(), ec.message().c_str());
        return contents;
    }
    const Fd root_fd(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (root_fd.get() < 0) {
        contents.error = formatted(_("cannot open %s: %s"), root.c_str(), std::strerror(errno));
        return contents;
    }
    for (const auto& relative : owned) contents.files.push_back(read_file_below(root_fd.get(), root, relative, limits));
    contents.ignored = ignored_below(root, std::set<fs::path>(owned.begin(), owned.end()), limits.max_ignored_listed);
    return contents;
}

// --- git -----------------------------------------------------------------

struct TreeEntry {
    std::string mode;
    std::string type;
    std::string object;
    std::size_t size = 0;
};

ProcessResult git(const fs::path& repository, std::vector<std::string> args, std::size_t output_limit) {
    ProcessOptions options;
    // The repository is the student's: no configuration of theirs may run
    // programs (fsmonitor, pager) or change what we read.
    options.argv = {"git", "-C", repository.string(), "-c", "safe.directory=*", "-c", "core.fsmonitor=false",
                    "--no-pager", "--no-replace-objects"};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.timeout = std::chrono::seconds(120);
    options.output_limit = output_limit;
    options.environment = {"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0",
                           "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C"};
    return run_process(options);
}

SubmissionContents read_git(const SubmissionSpec& spec, const std::vector<fs::path>& owned, const ReadLimits& limits) {
    SubmissionContents contents;
    const auto listing = git(spec.path, {"ls-tree", "-r", "-z", "-l", "--full-tree", spec.rev, "--", "exercises"},
                             64u << 20);
    if (!listing.succeeded()) {
        contents.error =
            formatted(_("git cannot list %s of %s: %s"), spec.rev.c_str(), spec.path.c_str(), listing.output.c_str());
        return contents;
    }
    std::map<std::string, TreeEntry> entries;
    std::size_t start = 0;
    const auto& out = listing.output;
    while (start < out.size()) {
        auto end = out.find('\0', start);
        if (end == std::string::npos) end = out.size();
        const auto record = out.substr(start, end - start);
        start = end + 1;
        const auto tab = record.find('\t');
        if (tab == std::string::npos) continue;
        TreeEntry entry;
        const auto meta = record.substr(0, tab);
        const auto s1 = meta.find(' ');
        const auto s2 = meta.find(' ', s1 + 1);
        const auto s3 = meta.find(' ', s2 + 1);
        if (s1 == std::string::npos || s2 == std::string::npos || s3 == std::string::npos) continue;
        entry.mode = meta.substr(0, s1);
        entry.type = meta.substr(s1 + 1, s2 - s1 - 1);
        entry.object = meta.substr(s2 + 1, s3 - s2 - 1);
        try {
            entry.size = std::stoull(meta.substr(meta.find_first_not_of(' ', s3)));
        } catch (const std::exception&) {
            entry.size = 0;
        }
        entries[record.substr(tab + 1)] = entry;
    }

    std::set<std::string> owned_keys;
    for (const auto& relative : owned) {
        SubmittedFile file;
        file.relative = relative;
        const auto key = "exercises/" + relative.generic_string();
        owned_keys.insert(key);
        const auto it = entries.find(key);
        if (it == entries.end()) {
            // A symbolic link in place of a folder hides the files below it.
            for (const auto& [path, entry] : entries) {
                if (entry.mode == "120000" && key.starts_with(path + "/")) {
                    file.state = FileState::refused;
                    file.problem = formatted(_("is in %s, which is a symbolic link; it was not followed"), path.c_str());
                }
            }
            contents.files.push_back(std::move(file));
            continue;
        }
        const auto& entry = it->second;
        if (entry.mode == "120000") {
            file.state = FileState::refused;
            file.problem = _("is a symbolic link; only regular files are accepted");
        } else if (entry.type != "blob") {
            file.state = FileState::refused;
            file.problem = entry.type == "commit" ? _("is a git submodule, not a file") : _("is not a regular file");
        } else if (entry.size > limits.max_file_size) {
            file.state = FileState::refused;
            file.problem = formatted(_("is %s, more than the limit of %s"), size_text(entry.size).c_str(),
                                     size_text(limits.max_file_size).c_str());
        } else {
            const auto blob = git(spec.path, {"cat-file", "blob", entry.object}, entry.size + 4096);
            if (!blob.succeeded() || blob.output.size() != entry.size) {
                file.state = FileState::refused;
                file.problem = formatted(_("cannot be read from git: %s"), blob.output.substr(0, 200).c_str());
            } else {
                file.state = FileState::ok;
                file.content = blob.output;
            }
        }
        contents.files.push_back(std::move(file));
    }
    for (const auto& [path, entry] : entries) {
        if (!owned_keys.contains(path) && contents.ignored.size() < limits.max_ignored_listed) {
            contents.ignored.push_back(path);
        }
    }
    return contents;
}

// --- finding submissions ---------------------------------------------------

bool is_bare_repository(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path / "HEAD", ec) && fs::is_directory(path / "objects", ec) &&
           fs::is_directory(path / "refs", ec) && !fs::exists(path / "exercises", ec);
}

bool has_exercises(const fs::path& path) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(path / "exercises", ec));
}

bool is_hidden(const fs::path& path) {
    const auto name = path.filename().string();
    return name.empty() || name.front() == '.' || name == "__MACOSX";
}

std::vector<fs::path> subfolders(const fs::path& path) {
    std::vector<fs::path> folders;
    std::error_code ec;
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_directory(ec) && !is_hidden(it->path())) folders.push_back(it->path());
    }
    std::sort(folders.begin(), folders.end());
    return folders;
}

std::string student_name(const fs::path& path) {
    auto normal = fs::absolute(path).lexically_normal();
    if (!normal.has_filename()) normal = normal.parent_path();
    std::error_code ec;
    if (const auto canonical = fs::canonical(normal, ec); !ec) normal = canonical;
    auto name = normal.filename().string();
    if (name.ends_with(".git") && name.size() > 4) name.resize(name.size() - 4);
    return name.empty() ? "submission" : name;
}

// One submission at `path`, if it is one: exercises/ directly, a git
// repository, or a folder whose only subfolder is one.
std::optional<SubmissionSpec> as_submission(const fs::path& path, const std::string& rev, int depth = 0) {
    SubmissionSpec spec;
    spec.student = student_name(path);
    spec.path = path;
    std::error_code ec;
    if (is_bare_repository(path) || (!rev.empty() && fs::exists(path / ".git", ec))) {
        spec.git = true;
        spec.rev = rev.empty() ? "HEAD" : rev;
        return spec;
    }
    if (has_exercises(path)) return spec;
    if (depth == 0) {
        const auto folders = subfolders(path);
        if (folders.size() == 1) {
            if (auto inner = as_submission(folders.front(), rev, 1)) {
                inner->student = spec.student;
                return inner;
            }
        }
    }
    return std::nullopt;
}

} // namespace

std::vector<SubmissionSpec> find_submissions(const std::vector<fs::path>& paths, const std::string& rev) {
    std::vector<SubmissionSpec> found;
    for (const auto& path : paths) {
        std::error_code ec;
        if (!fs::exists(path, ec)) throw std::invalid_argument(path.string() + " does not exist");
        if (!fs::is_directory(path, ec)) {
            throw std::invalid_argument(path.string() + " is not a folder (a submission is a folder or a git repository)");
        }
        if (auto spec = as_submission(path, rev)) {
            found.push_back(std::move(*spec));
            continue;
        }
        // A folder of submissions: each subfolder is one student's.
        std::vector<SubmissionSpec> inside;
        bool any = false;
        for (const auto& folder : subfolders(path)) {
            if (auto spec = as_submission(folder, rev)) {
                any = true;
                inside.push_back(std::move(*spec));
            } else {
                SubmissionSpec empty;
                empty.student = student_name(folder);
                empty.path = folder;
                empty.problem = formatted(_("no exercises/ folder found in %s: nothing to grade"), folder.c_str());
                inside.push_back(std::move(empty));
            }
        }
        if (any) {
            found.insert(found.end(), inside.begin(), inside.end());
        } else {
            SubmissionSpec empty;
            empty.student = student_name(path);
            empty.path = path;
            empty.problem = formatted(_("no exercises/ folder found in %s: nothing to grade"), path.c_str());
            found.push_back(std::move(empty));
        }
    }
    // Reports and CSV rows are keyed by student name; keep them unique.
    std::map<std::string, int> seen;
    for (auto& spec : found) {
        const int n = ++seen[spec.student];
        if (n > 1) spec.student += "-" + std::to_string(n);
    }
    return found;
}

SubmissionContents read_submission(const SubmissionSpec& spec, const std::vector<fs::path>& owned,
                                   const ReadLimits& limits) {
    auto contents = spec.git ? read_git(spec, owned, limits) : read_directory(spec, owned, limits);
    for (auto& file : contents.files) {
        if (file.state != FileState::ok) continue;
        if (auto problem = source_problem(file.relative, file.content)) {
            file.state = FileState::refused;
            file.problem = *problem;
            file.content.clear();
        }
    }
    return contents;
}

// --- content checks ----------------------------------------------------------

namespace {

bool is_source(const fs::path& path) {
    static const std::set<std::string> extensions{".c",   ".cc",  ".cpp", ".cxx", ".c++", ".h",   ".hh",  ".hpp",
                                                  ".hxx", ".h++", ".ipp", ".inl", ".tpp", ".ixx", ".cppm"};
    return extensions.contains(path.extension().string());
}

bool is_identifier_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::optional<std::string> include_problem(const std::string& target, int line) {
    const fs::path path(target);
    bool dotdot = false;
    for (const auto& part : path) dotdot = dotdot || part == "..";
    if (!target.empty() && target.front() == '/') {
        return formatted(_("includes a file by an absolute path on line %d (%s); only the course's own headers may "
                           "be included"),
                         line, target.c_str());
    }
    if (dotdot || target.find('\\') != std::string::npos) {
        return formatted(_("includes a file outside its folder on line %d (%s); include course headers by name"), line,
                         target.c_str());
    }
    return std::nullopt;
}

// A small C++ lexer: enough to find preprocessor directives outside comments
// and string literals, after line splicing.
class DirectiveScanner {
public:
    explicit DirectiveScanner(std::string_view text) {
        // Splice backslash-newlines, remembering each character's line.
        int line = 1;
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '\\') {
                std::size_t j = i + 1;
                if (j < text.size() && text[j] == '\r') ++j;
                if (j < text.size() && text[j] == '\n') {
                    ++line;
                    i = j;
                    continue;
                }
            }
            chars_.push_back(text[i]);
            lines_.push_back(line);
            if (text[i] == '\n') ++line;
        }
    }

    std::optional<std::string> problem() {
        bool line_start = true; // only blanks and comments since the last newline
        std::size_t i = 0;
        const auto n = chars_.size();
        while (i < n) {
            const char c = chars_[i];
            if (c == '\n') {
                line_start = true;
                ++i;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
                ++i;
            } else if (starts(i, "//")) {
                while (i < n && chars_[i] != '\n') ++i;
            } else if (starts(i, "/*")) {
                i = skip_block_comment(i);
            } else if (line_start && (c == '#' || starts(i, "%:"))) {
                if (auto problem = directive(i + (c == '#' ? 1 : 2))) return problem;
                while (i < n && chars_[i] != '\n') ++i;
            } else if (c == '"' || c == '\'') {
                i = skip_quoted(i);
                line_start = false;
            } else if (c == 'R' && starts(i + 1, "\"") && (i == 0 || !is_identifier_char(chars_[i - 1]) ||
                                                             raw_prefix(i))) {
                i = skip_raw_string(i + 1);
                line_start = false;
            } else {
                line_start = false;
                ++i;
            }
        }
        return std::nullopt;
    }

private:
    bool starts(std::size_t i, std::string_view what) const {
        return i + what.size() <= chars_.size() && std::string_view(chars_.data() + i, what.size()) == what;
    }

    // u8R"...", LR"...": the R follows an encoding prefix.
    bool raw_prefix(std::size_t r) const {
        std::size_t start = r;
        while (start > 0 && is_identifier_char(chars_[start - 1])) --start;
        const std::string_view prefix(chars_.data() + start, r - start);
        return prefix == "u8" || prefix == "u" || prefix == "U" || prefix == "L";
    }

    std::size_t skip_block_comment(std::size_t i) const {
        i += 2;
        while (i < chars_.size() && !starts(i, "*/")) ++i;
        return std::min(chars_.size(), i + 2);
    }

    std::size_t skip_quoted(std::size_t i) const {
        const char quote = chars_[i++];
        while (i < chars_.size() && chars_[i] != quote && chars_[i] != '\n') {
            if (chars_[i] == '\\') ++i;
            ++i;
        }
        return std::min(chars_.size(), i + 1);
    }

    std::size_t skip_raw_string(std::size_t quote) const {
        std::size_t i = quote + 1;
        std::string delimiter;
        while (i < chars_.size() && chars_[i] != '(' && delimiter.size() < 16) delimiter += chars_[i++];
        const std::string end = ")" + delimiter + "\"";
        while (i < chars_.size() && !starts(i, end)) ++i;
        return std::min(chars_.size(), i + end.size());
    }

    std::size_t skip_blanks(std::size_t i) const {
        for (;;) {
            while (i < chars_.size() && (chars_[i] == ' ' || chars_[i] == '\t')) ++i;
            if (starts(i, "/*")) {
                i = skip_block_comment(i);
                continue;
            }
            return i;
        }
    }

    std::optional<std::string> directive(std::size_t i) const {
        i = skip_blanks(i);
        std::string name;
        while (i < chars_.size() && is_identifier_char(chars_[i])) name += chars_[i++];
        if (name != "include" && name != "include_next" && name != "import" && name != "embed") return std::nullopt;
        const int line = lines_[std::min(i, lines_.size() - 1)];
        i = skip_blanks(i);
        if (i >= chars_.size() || (chars_[i] != '"' && chars_[i] != '<')) {
            return formatted(_("has an #%s whose file is chosen by a macro on line %d; write the header's name"),
                             name.c_str(), line);
        }
        const char close = chars_[i] == '"' ? '"' : '>';
        std::string target;
        for (++i; i < chars_.size() && chars_[i] != close && chars_[i] != '\n'; ++i) target += chars_[i];
        return include_problem(target, line);
    }

    std::vector<char> chars_;
    std::vector<int> lines_;
};

} // namespace

std::optional<std::string> source_problem(const fs::path& relative, std::string_view content) {
    if (!is_source(relative)) return std::nullopt;
    int line = 1;
    for (const char ch : content) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\n') ++line;
        if (c == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') || c == 0x7F) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", c);
            return formatted(_("is not a text file (byte %s on line %d)"), hex, line);
        }
    }
    std::string lower(content);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.find(".incbin") != std::string::npos) {
        return std::string(_("uses .incbin, which would make the assembler read a file from outside the submission"));
    }
    return DirectiveScanner(content).problem();
}

} // namespace kubik::course
