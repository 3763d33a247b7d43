package io.ipdrsp.helmcheck;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Metric names used by a PromQL expression (or a Grafana label_values query). Not a full parser: it removes what
 * cannot be a metric name (strings, label matchers, ranges, grouping clauses, function calls, keywords) and returns
 * the identifiers left, which is enough for the expressions of this project and errs towards reporting too much.
 */
final class PromQl {
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan", "atan2", "start", "end");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^{}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\[\\]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\(\\s*([^,]+?)\\s*,\\s*[A-Za-z_]\\w*\\s*\\)\\s*$");
    private static final Pattern IDENT = Pattern.compile("(?<![\\w.$])([A-Za-z_:][A-Za-z0-9_:]*)(\\s*\\()?");

    private PromQl() {
    }

    static Set<String> metricNames(String expr) {
        Matcher lv = LABEL_VALUES.matcher(expr);
        String s = lv.matches() ? lv.group(1) : expr;
        s = STRING.matcher(s).replaceAll(" ");
        s = MATCHERS.matcher(s).replaceAll(" ");
        s = RANGE.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> out = new LinkedHashSet<>();
        Matcher m = IDENT.matcher(s);
        while (m.find()) {
            String id = m.group(1);
            boolean call = m.group(2) != null;
            if (!call && !KEYWORDS.contains(id.toLowerCase())) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * Label names an expression relies on: those of grouping clauses ({@code by}, {@code without}, {@code on},
     * {@code ignoring}, {@code group_left/right}) and of label matchers; {@code le} of histogram_quantile included.
     */
    static Set<String> labelNames(String expr) {
        Matcher lv = LABEL_VALUES.matcher(expr);
        Set<String> out = new LinkedHashSet<>();
        if (lv.matches()) {
            Matcher v = Pattern.compile(",\\s*([A-Za-z_]\\w*)\\s*\\)\\s*$").matcher(expr);
            if (v.find()) {
                out.add(v.group(1));
            }
        }
        String s = STRING.matcher(lv.matches() ? lv.group(1) : expr).replaceAll("\"\"");
        Matcher g = GROUPING.matcher(s);
        while (g.find()) {
            String list = g.group().substring(g.group().indexOf('(') + 1, g.group().length() - 1);
            for (String l : list.split(",")) {
                if (!l.isBlank()) {
                    out.add(l.trim());
                }
            }
        }
        Matcher m = MATCHERS.matcher(s);
        while (m.find()) {
            Matcher l = Pattern.compile("([A-Za-z_]\\w*)\\s*(=~|!~|!=|=)").matcher(m.group());
            while (l.find()) {
                out.add(l.group(1));
            }
        }
        return out;
    }

    /** Brackets balance, outside string literals. */
    static boolean balanced(String expr) {
        String s = STRING.matcher(expr).replaceAll(" ");
        java.util.ArrayDeque<Character> stack = new java.util.ArrayDeque<>();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '(', '[', '{' -> stack.push(c);
                case ')', ']', '}' -> {
                    char open = c == ')' ? '(' : c == ']' ? '[' : '{';
                    if (stack.isEmpty() || stack.pop() != open) {
                        return false;
                    }
                }
                default -> {
                }
            }
        }
        return stack.isEmpty();
    }
}
