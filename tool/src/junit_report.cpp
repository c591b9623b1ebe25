// junit_report.cpp: writing JUnit XML (see junit_report.h).
#include "tool/junit_report.h"

#include <fmt/format.h>

namespace tool {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
          out += '?';  // not representable in XML 1.0, not even as a reference
        else
          out += ch;
    }
  }
  return out;
}

std::string JUnitReport::xml() const {
  std::size_t failures = 0;
  double total = 0;
  for (const Case& c : cases_) {
    failures += c.failed ? 1 : 0;
    total += c.seconds;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{:.3f}\">\n",
                     cases_.size(), failures, total);
  out += fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" "
      "time=\"{:.3f}\">\n",
      xml_escape(suite_), cases_.size(), failures, total);
  for (const Case& c : cases_) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"",
                       xml_escape(c.classname), xml_escape(c.name), c.seconds);
    if (!c.failed) {
      out += "/>\n";
      continue;
    }
    out += fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                       xml_escape(c.message), xml_escape(c.details));
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace tool
