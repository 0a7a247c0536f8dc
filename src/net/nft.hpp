// kubik's nftables table: the rules that publish ports and NAT containers.
//
// Everything kubik adds lives in one table of its own, `ip kubik` for the
// default state root (another root gets "kubik-" and 8 hex digits of a hash
// of its path, so that parallel tests never share rules). Nothing outside
// that table is ever read, changed or flushed. Its base chains:
//
//   prerouting   type nat hook prerouting priority dstnat   packets arriving at the host
//   output       type nat hook output priority -100         packets the host itself sends
//   postrouting  type nat hook postrouting priority srcnat  packets leaving, after routing
//   forward      type filter hook forward priority filter   kubik's bridges' traffic accepted
//
// Every rule carries a comment naming its owner: "container:ID" for a
// published port, "network:NAME" for a network's own rules (masquerade of
// its subnet's outbound traffic). remove_owner() deletes exactly one owner's
// rules, whatever else is in the chains.
//
// Debian ships libnftables as a shared library only, and kubik is linked
// -static for its start time, so the rules are applied by kubik-nft, a small
// dynamically linked helper installed beside kubik: it reads an nft script
// on stdin and hands it to libnftables as one transaction (all or nothing).
// Containers without -p never start it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kubik::nft {

/// The base chains of kubik's table that rules go into.
enum class Chain { Prerouting, Output, Postrouting, Forward };

/// The chain's name in the table: "prerouting", "output", ….
const char* chain_name(Chain chain);

/// The table's name for a state root: "kubik" for the default root
/// (KUBIK_DEFAULT_ROOT), "kubik-XXXXXXXX" for any other.
std::string table_name(const std::filesystem::path& root);

/// 8 hex digits of a stable hash (32-bit FNV-1a) of the root's absolute,
/// normalised path: the table's suffix, and the default bridge's ("kb-" +
/// these digits) for a root that is not the default one.
std::string root_hash(const std::filesystem::path& root);

/// Rules to add in one transaction, all owned by one owner.
class Batch {
public:
    /// `table` from table_name(); `owner` e.g. "container:" + id.
    Batch(std::string table, std::string owner);

    /// Adds `rule` at the end of `chain`: a rule in nft's own syntax,
    /// without "add rule" and without a comment, e.g.
    /// "ip daddr 127.0.0.1 tcp dport 8080 dnat to 172.29.0.2:80".
    /// The owner's comment is appended here.
    void add_rule(Chain chain, const std::string& rule);

    /// The rules as given to add_rule(), in order, with their chains: what
    /// lesson 6's direct tests compare.
    struct Entry {
        Chain chain;      ///< where it goes
        std::string rule; ///< as given, without the comment
    };
    /// Every rule added so far, in order.
    const std::vector<Entry>& entries() const { return entries_; }

    /// The whole nft script: the table and its chains (made if missing,
    /// "add" is idempotent), then "add rule ip TABLE CHAIN RULE comment \"OWNER\""
    /// for each entry (an entry identical to an earlier one only once).
    std::string script() const;

    const std::string& table() const { return table_; } ///< the table it is for
    const std::string& owner() const { return owner_; } ///< whose rules these are

private:
    std::string table_;
    std::string owner_;
    std::vector<Entry> entries_;
};

/// Applies a batch through kubik-nft, as one transaction: either every rule
/// is in the kernel afterwards or none is. Throws kubik::Error with
/// libnftables's message (which names the failing rule) otherwise.
void apply(const Batch& batch);

/// Deletes every rule whose comment is `owner` from the table; no error when
/// there is none, or no table. One transaction.
void remove_owner(const std::string& table, const std::string& owner);

/// Deletes the table when no rule is left in it (the last network is gone).
void remove_table_if_empty(const std::string& table);

/// libnftables's JSON of `table` ({"nftables": [...]}, rules with their
/// handles and comments), or with an empty `table` of every table of kubik
/// on the host, whatever its root ("kubik" and "kubik-*" of family ip):
/// what tells a port published by any kubik container. Throws
/// kubik::Error when a named table is missing.
std::string list_json(const std::string& table = "");

/// Path of kubik-nft: beside the running kubik (/proc/self/exe's directory),
/// or KUBIK_NFT if set (tests built elsewhere).
std::filesystem::path helper_path();

} // namespace kubik::nft
