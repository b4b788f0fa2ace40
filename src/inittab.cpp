#include "inittab.hpp"

#include <algorithm>
#include <functional>

#include "error.hpp"
#include "suggest.hpp"
#include "text_lines.hpp"

namespace kdk {
namespace {

// From BusyBox init/init.c and sysvinit's inittab(5).
const std::vector<std::string> kBusyBoxActions = {"sysinit", "wait",     "once",    "respawn",
                                                  "askfirst", "shutdown", "restart", "ctrlaltdel"};
const std::vector<std::string> kSysVActions = {"respawn",   "wait",        "once",      "boot",
                                               "bootwait",  "off",         "ondemand",  "initdefault",
                                               "sysinit",   "powerwait",   "powerfail", "powerokwait",
                                               "powerfailnow", "ctrlaltdel", "kbrequest"};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// BusyBox prefixes a relative tty with /dev/, so "ttyS0" and "/dev/ttyS0" name the same entry.
std::string entry_key(const std::string& id) {
  return id.rfind("/dev/", 0) == 0 ? id.substr(5) : id;
}

// What a line says about which form the file is in, if anything.
std::optional<InitStyle> evidence(const InittabEntry& e) {
  if (contains(kSysVActions, e.action) && !contains(kBusyBoxActions, e.action)) return InitStyle::SysV;
  if (contains(kBusyBoxActions, e.action) && !contains(kSysVActions, e.action)) return InitStyle::BusyBox;
  if (e.id.empty() || e.id.size() > 4 || e.id.rfind("/dev/", 0) == 0) return InitStyle::BusyBox;
  if (!e.runlevels.empty()) return InitStyle::SysV;
  return std::nullopt;
}

void validate(const InittabEntry& e, InitStyle style) {
  if (style == InitStyle::BusyBox) {
    if (!contains(kBusyBoxActions, e.action)) {
      std::string hint = contains(kSysVActions, e.action) ? "; it is a sysvinit action, and this inittab is in BusyBox form"
                                                          : did_you_mean(e.action, kBusyBoxActions);
      throw Error("unknown action '" + e.action + "' for BusyBox init" + hint + "; BusyBox accepts " + join(kBusyBoxActions));
    }
  } else {
    if (e.id.empty() || e.id.size() > 4) {
      throw Error("sysvinit needs an id of 1 to 4 characters, found '" + e.id + "'");
    }
    if (e.runlevels.find_first_not_of("0123456789abcABCsS") != std::string::npos) {
      throw Error("bad runlevels '" + e.runlevels + "': expected characters from 0-9, a-c and S");
    }
    if (!contains(kSysVActions, e.action)) {
      std::string hint = contains(kBusyBoxActions, e.action) ? "; it is a BusyBox action, and this inittab is in sysvinit form"
                                                             : did_you_mean(e.action, kSysVActions);
      throw Error("unknown action '" + e.action + "' for sysvinit" + hint + "; sysvinit accepts " + join(kSysVActions));
    }
  }
  bool process_optional = style == InitStyle::SysV && (e.action == "initdefault" || e.action == "off");
  if (e.process.find_first_not_of(" \t") == std::string::npos && !process_optional) {
    throw Error("the process field is empty: action '" + e.action + "' needs a command to run");
  }
}

struct Parsed {
  TextLines text;
  std::vector<std::optional<InittabEntry>> entries;  // parallel to text.lines
  InitStyle style = InitStyle::BusyBox;
};

Parsed parse_file(std::string_view content, const std::string& filename, std::optional<InitStyle> forced) {
  Parsed p;
  p.text = TextLines::split(content);
  p.entries = parse_entries(p.text, filename, parse_inittab_entry);
  // The first entry that says which form the file is in decides, unless the caller did.
  std::optional<InitStyle> detected = forced;
  for (const auto& e : p.entries) {
    if (!detected && e) detected = evidence(*e);
  }
  p.style = detected.value_or(InitStyle::BusyBox);
  for (std::size_t i = 0; i < p.entries.size(); ++i) {
    if (!p.entries[i]) continue;
    try {
      validate(*p.entries[i], p.style);
    } catch (const Error& err) {
      throw Error(err.what(), location(filename, i + 1), p.text.lines[i]);
    }
  }
  return p;
}

InittabEntry parse_argument(const std::string& option, const std::string& value, InitStyle style) {
  try {
    InittabEntry e = parse_inittab_entry(value);
    validate(e, style);
    return e;
  } catch (const Error& err) {
    throw Error(err.what(), option, value);
  }
}

std::string format_entry(const InittabEntry& e) { return e.id + ':' + e.runlevels + ':' + e.action + ':' + e.process; }

bool same_entry(const InittabEntry& a, const InittabEntry& b) {
  return entry_key(a.id) == entry_key(b.id) && a.runlevels == b.runlevels && a.action == b.action && a.process == b.process;
}

void set_entry(Parsed& p, const InittabEntry& e, const std::string& option, const std::string& value) {
  // The key: the id (the tty, for BusyBox). BusyBox entries without a tty are keyed by action.
  std::vector<std::size_t> matches;
  for (std::size_t i = 0; i < p.entries.size(); ++i) {
    const auto& existing = p.entries[i];
    if (!existing) continue;
    bool match = e.id.empty() ? existing->id.empty() && existing->action == e.action
                              : entry_key(existing->id) == entry_key(e.id);
    if (match) matches.push_back(i);
  }
  if (matches.size() > 1) {
    std::string lines;
    for (auto i : matches) lines += (lines.empty() ? "" : ", ") + std::to_string(i + 1);
    std::string key = e.id.empty() ? "action '" + e.action + "' with no tty" : "id '" + e.id + "'";
    throw Error(std::to_string(matches.size()) + " entries have " + key + " (lines " + lines +
                    "), so which to replace is ambiguous; use --add to add another, or --remove first",
                option, value);
  }
  if (matches.empty()) {
    p.text.append(format_entry(e));
    p.entries.push_back(e);
  } else if (!same_entry(*p.entries[matches[0]], e)) {
    p.text.lines[matches[0]] = format_entry(e);
    p.entries[matches[0]] = e;
  }
}

void remove_if(Parsed& p, const std::function<bool(const InittabEntry&)>& pred) {
  for (std::size_t i = p.entries.size(); i-- > 0;) {
    if (p.entries[i] && pred(*p.entries[i])) {
      p.entries.erase(p.entries.begin() + static_cast<long>(i));
      p.text.lines.erase(p.text.lines.begin() + static_cast<long>(i));
    }
  }
}

InittabEntry getty_entry(const std::string& spec, InitStyle style) {
  auto comma = spec.find(',');
  std::string tty = spec.substr(0, comma);
  std::string baud = comma == std::string::npos ? "115200" : spec.substr(comma + 1);
  if (tty.rfind("/dev/", 0) == 0) tty = tty.substr(5);
  if (tty.empty() || tty.find_first_of(": \t/") != std::string::npos) {
    throw Error("bad tty '" + tty + "': expected a device name such as ttyS0 or ttyAMA0", "--getty", spec);
  }
  if (baud.empty() || baud.size() > 7 || baud.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(baud) < 50 || std::stoul(baud) > 4000000) {
    throw Error("bad baud rate '" + baud + "': expected a whole number from 50 to 4000000, such as 115200", "--getty",
                spec);
  }
  InittabEntry e;
  e.action = "respawn";
  e.process = "/sbin/getty -L " + baud + " " + tty + " vt100";
  if (style == InitStyle::BusyBox) {
    e.id = tty;
  } else {
    // sysvinit ids are at most four characters: ttyS0 -> S0, ttyAMA0 -> AMA0, hvc0 -> hvc0.
    std::string id = tty.rfind("tty", 0) == 0 ? tty.substr(3) : tty;
    e.id = id.size() > 4 ? id.substr(id.size() - 4) : id;
    e.runlevels = "2345";
  }
  return e;
}

}  // namespace

std::string_view style_name(InitStyle style) { return style == InitStyle::BusyBox ? "BusyBox" : "sysvinit"; }

InittabEntry parse_inittab_entry(std::string_view line) {
  std::string text(line);
  if (!text.empty() && text.back() == '\r') text.pop_back();
  std::size_t a = text.find(':');
  std::size_t b = a == std::string::npos ? a : text.find(':', a + 1);
  std::size_t c = b == std::string::npos ? b : text.find(':', b + 1);
  if (c == std::string::npos) {
    std::size_t fields = 1 + static_cast<std::size_t>(std::count(text.begin(), text.end(), ':'));
    throw Error("expected 4 ':'-separated fields <id>:<runlevels>:<action>:<process>, found " + std::to_string(fields));
  }
  InittabEntry e;
  e.id = text.substr(0, a);
  e.runlevels = text.substr(a + 1, b - a - 1);
  e.action = text.substr(b + 1, c - b - 1);
  e.process = text.substr(c + 1);
  return e;
}

InitStyle check_inittab(std::string_view content, const std::string& filename, std::optional<InitStyle> style) {
  return parse_file(content, filename, style).style;
}

std::string edit_inittab(std::string_view content, const std::string& filename, const InittabEdit& edit) {
  for (const auto& [option, values] : {std::pair{"--set", &edit.set}, {"--add", &edit.add}, {"--remove", &edit.remove},
                                       {"--remove-action", &edit.remove_actions}, {"--getty", &edit.getty}}) {
    for (const auto& value : *values) check_edit_value(option, value);
  }
  Parsed p = parse_file(content, filename, edit.style);
  for (const auto& id : edit.remove) {
    remove_if(p, [&](const InittabEntry& e) { return entry_key(e.id) == entry_key(id); });
  }
  for (const auto& action : edit.remove_actions) {
    const auto& known = p.style == InitStyle::BusyBox ? kBusyBoxActions : kSysVActions;
    if (!contains(known, action)) {
      throw Error("unknown action '" + action + "' for " + std::string(style_name(p.style)) + " init" +
                      did_you_mean(action, known),
                  "--remove-action", action);
    }
    remove_if(p, [&](const InittabEntry& e) { return e.action == action; });
  }
  for (const auto& value : edit.set) set_entry(p, parse_argument("--set", value, p.style), "--set", value);
  for (const auto& spec : edit.getty) set_entry(p, getty_entry(spec, p.style), "--getty", spec);
  for (const auto& value : edit.add) {
    InittabEntry e = parse_argument("--add", value, p.style);
    bool present = std::any_of(p.entries.begin(), p.entries.end(),
                               [&](const auto& existing) { return existing && same_entry(*existing, e); });
    if (!present) {
      p.text.append(value);
      p.entries.push_back(e);
    }
  }
  return p.text.join();
}

}  // namespace kdk
