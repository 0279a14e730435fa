#pragma once
// Flat objects of the API's answers (a token, a consumer key) read as field -> text: strings as
// they are, null or any other kind as "-", for the table printers of `kt tokens` and `kt keys`.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kt::cli {

using ApiObject = std::map<std::string, std::string>;

// One call of `kt tokens` / `kt keys`: the API's answer body when it is left to print as text;
// nullopt when the command is done, with its exit code in `exit_code` (2: no API in the
// environment, 1: the call failed, 0: --format json, the answer printed as it came).
std::optional<std::string> call_for_text(const std::string& method, const std::string& path, const std::string& json_body,
                                         const std::string& format, int& exit_code);

// A table of objects: one column per field, `width` characters wide (the last column: as wide as
// its text), headed by `header`.
struct Column {
  const char* header;
  const char* field;
  int width;
};
void print_table(const std::vector<ApiObject>& rows, const std::vector<Column>& columns);
// `kt tokens list` / `kt keys list`: GET `path`, then the table of its array `key` (or the answer
// as it came, for --format json). The exit code.
int print_list(const std::string& path, const char* key, const char* what, const std::vector<Column>& columns,
               const std::string& format);

// The field's text, or "-" when absent.
std::string field_of(const ApiObject& o, const std::string& key);
// One object; nullopt (after saying "the API's answer is not <what>" on stderr) when it is not one.
std::optional<ApiObject> parse_api_object(const std::string& body, const char* what);
// The objects of the array under `key`; nullopt (after saying so) when there is none.
std::optional<std::vector<ApiObject>> parse_api_list(const std::string& body, const char* key, const char* what);

}  // namespace kt::cli
