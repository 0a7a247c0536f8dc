#include "security/device_rules.hpp"

#include <cstddef>

namespace kubik::security {
namespace {

// The few instruction shapes the program needs (linux/bpf.h has the
// encoding, not the kernel's BPF_* helper macros). Registers are 4-bit
// fields: masked, so that nothing wider is ever written into them.
bpf_insn insn(__u8 code, int dst, int src, short offset, int imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = offset;
    i.imm = imm;
    return i;
}
bpf_insn load_u32(int dst, int src, short offset) { return insn(BPF_LDX | BPF_W | BPF_MEM, dst, src, offset, 0); }
bpf_insn move_reg(int dst, int src) { return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn alu_imm(__u8 op, int dst, int imm) { return insn(static_cast<__u8>(BPF_ALU64 | op | BPF_K), dst, 0, 0, imm); }
bpf_insn jump_if_not_equal(int reg, int imm, short skip) { return insn(BPF_JMP | BPF_JNE | BPF_K, reg, 0, skip, imm); }
bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

int access_bits(const std::string& access) {
    int bits = 0;
    for (char c : access) {
        if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
        if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
        if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
    }
    return bits;
}

} // namespace

std::vector<DeviceRule> default_device_rules() {
    return {
        {'c', -1, -1, "m"},   {'b', -1, -1, "m"},      // mknod of any node
        {'c', 1, 3, "rwm"},   {'c', 1, 5, "rwm"},      // /dev/null, /dev/zero
        {'c', 1, 7, "rwm"},   {'c', 1, 8, "rwm"},      // /dev/full, /dev/random
        {'c', 1, 9, "rwm"},   {'c', 5, 0, "rwm"},      // /dev/urandom, /dev/tty
        {'c', 5, 1, "rwm"},   {'c', 5, 2, "rwm"},      // /dev/console, /dev/ptmx
        {'c', 136, -1, "rwm"}, {'c', 10, 200, "rwm"},  // /dev/pts/*, /dev/net/tun
    };
}

std::string device_rule_line(const DeviceRule& rule) {
    auto number = [](int n) { return n < 0 ? std::string("*") : std::to_string(n); };
    return std::string(1, rule.type) + " " + number(rule.major) + ":" + number(rule.minor) + " " + rule.access;
}

std::vector<bpf_insn> device_program(const std::vector<DeviceRule>& rules) {
    // The context: struct bpf_cgroup_dev_ctx { u32 access_type; u32 major;
    // u32 minor; }, access_type = (access << 16) | type.
    std::vector<bpf_insn> program = {
        load_u32(BPF_REG_2, BPF_REG_1, offsetof(bpf_cgroup_dev_ctx, access_type)),
        move_reg(BPF_REG_3, BPF_REG_2),
        alu_imm(BPF_AND, BPF_REG_3, 0xffff),  // r3: the type
        move_reg(BPF_REG_4, BPF_REG_2),
        alu_imm(BPF_RSH, BPF_REG_4, 16),      // r4: the access asked for
        load_u32(BPF_REG_5, BPF_REG_1, offsetof(bpf_cgroup_dev_ctx, major)),
        load_u32(BPF_REG_6, BPF_REG_1, offsetof(bpf_cgroup_dev_ctx, minor)),
    };
    for (const auto& rule : rules) {
        // Each test jumps past the rest of this rule's block when it fails.
        std::vector<bpf_insn> tests;
        if (rule.type != 'a')
            tests.push_back(jump_if_not_equal(BPF_REG_3, rule.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0));
        const int allowed = access_bits(rule.access);
        if (allowed != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)) {
            // Every bit asked for must be allowed: (asked & ~allowed) == 0.
            tests.push_back(move_reg(BPF_REG_7, BPF_REG_4));
            tests.push_back(alu_imm(BPF_AND, BPF_REG_7, ~allowed));
            tests.push_back(jump_if_not_equal(BPF_REG_7, 0, 0));
        }
        if (rule.major >= 0) tests.push_back(jump_if_not_equal(BPF_REG_5, rule.major, 0));
        if (rule.minor >= 0) tests.push_back(jump_if_not_equal(BPF_REG_6, rule.minor, 0));
        tests.push_back(alu_imm(BPF_MOV, BPF_REG_0, 1));
        tests.push_back(exit_insn());
        const int size = static_cast<int>(tests.size());
        for (int i = 0; i < size; ++i)
            if (tests[i].code == (BPF_JMP | BPF_JNE | BPF_K)) tests[i].off = static_cast<short>(size - i - 1);
        program.insert(program.end(), tests.begin(), tests.end());
    }
    program.push_back(alu_imm(BPF_MOV, BPF_REG_0, 0));
    program.push_back(exit_insn());
    return program;
}

} // namespace kubik::security
