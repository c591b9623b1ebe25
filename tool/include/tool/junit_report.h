// junit_report.h: JUnitReport, the JUnit XML that CI systems read
// (<testsuites><testsuite><testcase><failure>).
//
// Invariant: the output is well-formed XML 1.0 whatever the text of names and
// messages: markup characters are escaped and characters XML 1.0 forbids
// (control characters other than tab, newline, carriage return) are replaced.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tool {

class JUnitReport {
 public:
  struct Case {
    std::string classname;  ///< e.g. "scenarios" or "traces"
    std::string name;
    double seconds = 0;
    bool failed = false;
    std::string message;    ///< one line: why it failed
    std::string details;    ///< the failure element's text
  };

  explicit JUnitReport(std::string suite) : suite_(std::move(suite)) {}
  void add(Case c) { cases_.push_back(std::move(c)); }
  std::string xml() const;

 private:
  std::string suite_;
  std::vector<Case> cases_;
};

/// Escape text for XML content and attribute values.
std::string xml_escape(std::string_view text);

}  // namespace tool
