// timeline.cpp: rendering a StepLog as a column timeline (see timeline.h).
//
// Layout of every line: a gutter (a 2-character mark, ">>" on the failing
// step, then the step number right-aligned, then a space), then one column of
// TimelineStyle::width characters per thread separated by TimelineStyle::gap
// spaces. Trailing spaces are trimmed.
#include "tool/timeline.h"

#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace tool {

namespace {

/// Word-wrap `text` into lines of at most `width` characters, the first line
/// indented by `first` spaces and the rest by `cont`. Words are never split (a
/// kernel identifier stays greppable): a word longer than a line gets a line of
/// its own and overflows it. Always returns at least one line.
std::vector<std::string> wrap(std::string_view text, std::size_t width, std::size_t first,
                              std::size_t cont) {
  std::vector<std::string> lines;
  std::string cur(first, ' ');
  bool has_word = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) break;
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(pos, end - pos);
    pos = end;
    if (has_word && cur.size() + 1 + word.size() > width) {
      lines.push_back(std::move(cur));
      cur.assign(cont, ' ');
      has_word = false;
    }
    if (has_word) cur += ' ';
    cur += word;
    has_word = true;
  }
  lines.push_back(std::move(cur));
  return lines;
}

std::string detail_text(const checker::StepLog& log, const checker::StepRecord& s) {
  std::string text(checker::to_string(s.access.kind));
  if (s.access.object < log.object_names.size()) text += " " + log.object_names[s.access.object];
  if (!s.note.empty()) text += ": " + s.note;
  return text;
}

std::string thread_text(const checker::StepLog& log, checker::ThreadId t) {
  return t < log.thread_names.size() ? column_title(log, t) : fmt::format("CPU{}", t);
}

/// Accumulates timeline lines: a gutter and one cell per column.
class Grid {
 public:
  Grid(std::size_t gutter, const TimelineStyle& style) : gutter_(gutter), style_(style) {}

  void line(std::string_view gutter_text, std::size_t column, std::string_view cell) {
    std::string l(gutter_text);
    l.resize(gutter_, ' ');
    l.append(column * (style_.width + style_.gap), ' ');
    l += cell;
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out_ += l;
    out_ += '\n';
  }
  std::string& text() { return out_; }

 private:
  std::size_t gutter_;
  const TimelineStyle& style_;
  std::string out_;
};

}  // namespace

std::string column_title(const checker::StepLog& log, checker::ThreadId t) {
  return fmt::format("CPU{} ({})", t, log.thread_names.at(t));
}

std::string render_timeline(const checker::StepLog& log, const checker::Violation* violation,
                            const TimelineStyle& style) {
  const std::size_t columns = log.thread_names.size();
  const std::size_t digits =
      fmt::formatted_size("{}", log.steps.empty() ? 0 : log.steps.size() - 1);
  const std::size_t gutter = 2 + digits + 1;
  Grid grid(gutter, style);

  // Titles: wrapped, all columns side by side.
  std::vector<std::vector<std::string>> titles;
  std::size_t title_lines = 0;
  for (checker::ThreadId t = 0; t < columns; ++t) {
    titles.push_back(wrap(column_title(log, t), style.width, 0, 2));
    title_lines = std::max(title_lines, titles.back().size());
  }
  for (std::size_t i = 0; i < title_lines; ++i) {
    std::string row;
    for (std::size_t t = 0; t < columns; ++t) {
      std::string cell = i < titles[t].size() ? titles[t][i] : "";
      if (t + 1 < columns) cell.resize(style.width + style.gap, ' ');
      row += cell;
    }
    grid.line("", 0, row);
  }

  std::size_t marked = SIZE_MAX;
  if (violation && violation->thread != checker::kNoThread && violation->step < log.steps.size() &&
      log.steps[violation->step].thread == violation->thread)
    marked = violation->step;

  for (std::size_t i = 0; i < log.steps.size(); ++i) {
    const checker::StepRecord& s = log.steps[i];
    const std::size_t col = s.thread < columns ? s.thread : 0;
    std::string_view label = s.access.label ? s.access.label : "";
    bool same_function = i > 0 && log.steps[i - 1].thread == s.thread &&
                         std::string_view(log.steps[i - 1].access.label
                                              ? log.steps[i - 1].access.label
                                              : "") == label;
    if (!same_function)
      for (const std::string& l : wrap(label.empty() ? "(unnamed)" : label, style.width, 0, 2))
        grid.line("", col, l);
    std::vector<std::string> detail = wrap(detail_text(log, s), style.width, 2, 4);
    std::string number = fmt::format("{}{:>{}} ", i == marked ? ">>" : "  ", i, digits);
    for (std::size_t k = 0; k < detail.size(); ++k) grid.line(k == 0 ? number : "", col, detail[k]);
  }

  if (violation && violation->verdict != checker::Verdict::Pass) {
    grid.text() += '\n';
    grid.text() += describe_violation(*violation, log);
    grid.text() += '\n';
  }
  return std::move(grid.text());
}

std::string describe_violation(const checker::Violation& v, const checker::StepLog& log) {
  using checker::Verdict;
  std::string head;
  std::string message = v.message;
  switch (v.verdict) {
    case Verdict::Violation: {
      if (v.kind == checker::FailureKind::Reached && v.thread != checker::kNoThread && v.step < log.steps.size()) {
        const std::string label = log.steps[v.step].access.label ? log.steps[v.step].access.label : "?";
        // The engine's message, "T reached F (step N: LABEL)" when the target named the function
        // F the step ran inside (checker::Frame), else "T reached LABEL (step N)".
        const std::size_t from = message.find(" reached "), to = message.rfind(" (step ");
        const std::string function =
            from != std::string::npos && to != std::string::npos && to > from + 9 ? message.substr(from + 9, to - from - 9)
                                                                                  : label;
        // A chained target (run --reach X --reach Y): "(step N, after X)" in the engine's message.
        std::string after;
        if (const std::size_t a = message.find(", after ", to == std::string::npos ? 0 : to);
            a != std::string::npos && message.back() == ')')
          after = message.substr(a, message.size() - 1 - a);
        if (function.rfind("a note containing ", 0) == 0)  // run --reach-note: show the note itself
          return fmt::format("reached in {} at step {}: {}, {}: \"{}\"{} (this execution is a witness that "
                             "the step is reachable)",
                             thread_text(log, v.thread), v.step, label, function, log.steps[v.step].note, after);
        return fmt::format("reached in {} at step {}: {}{}{} (this execution is a witness that the step is reachable)",
                           thread_text(log, v.thread), v.step, label,
                           function != label ? ", inside " + function : std::string(), after);
      }
      std::string what(checker::to_string(v.kind));
      if (!v.invariant.empty())
        what = v.kind == checker::FailureKind::Invariant ? "invariant " + v.invariant
                                                          : what + ", check " + v.invariant;
      head = "violation (" + what + ")";
      break;
    }
    case Verdict::Deadlock:
      head = "deadlock";
      if (message.rfind("deadlock: ", 0) == 0) message.erase(0, 10);
      break;
    case Verdict::StepBound: head = "step bound"; break;
    case Verdict::ModelError: head = "model error"; break;
    case Verdict::Unsupported: head = "unsupported"; break;
    case Verdict::Pass: return "pass";
  }
  std::string where;
  if (v.thread != checker::kNoThread)
    where = fmt::format(" in {} at step {}", thread_text(log, v.thread), v.step);
  else if (v.verdict == Verdict::Violation)
    where = " at the end of the execution";
  else
    where = fmt::format(" after {} steps", log.steps.size());
  return head + where + ": " + message;
}

}  // namespace tool
