package io.ipdrsp.tools;

import java.util.List;

/**
 * One {@code --name value} or {@code --name=value} command-line option.
 *
 * @param next  index of the option's last argument (continue the scan after it)
 * @param value null when the option needs a value and none follows
 */
record CliOption(String name, String value, int next) {
    static CliOption at(List<String> args, int i) {
        String a = args.get(i);
        int eq = a.indexOf('=');
        if (eq >= 0) {
            return new CliOption(a.substring(0, eq), a.substring(eq + 1), i);
        }
        return i + 1 < args.size() ? new CliOption(a, args.get(i + 1), i + 1) : new CliOption(a, null, i);
    }
}
