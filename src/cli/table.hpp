// Column output like docker's (Go's tabwriter): each column as wide as its
// widest cell, columns three spaces apart.
#pragma once

#include <string>
#include <vector>

namespace kubik::cli {

/// Rows of cells, printed in aligned columns.
class Table {
public:
    /// A table whose first row is `header`.
    explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
    /// Appends a row of cells.
    void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    /// Prints every row to stdout.
    void print() const;

private:
    std::vector<std::vector<std::string>> rows_;
};

} // namespace kubik::cli
