package io.ipdrsp.launcher;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a node's own output says when it is up ({@code NodeApplication.describe}):
 * <pre>
 * ipdr node node-1 (site demo) is up
 *   IPDR/SP  : listening for CMTSes on 127.0.0.1:4801
 *   admin    : http://127.0.0.1:8201/  (health …)
 *   API      : http://127.0.0.1:8101/api/exporters …
 * </pre>
 *
 * @param api    the API port (0: not named)
 * @param admin  the admin port (0: not named)
 * @param listen the IPDR/SP listen port (0: not named, the node only dials)
 * @param host   the API's host
 */
record UpLine(int api, int admin, int listen, String host) {
    static final UpLine NONE = new UpLine(0, 0, 0, "127.0.0.1");
    private static final Pattern API = Pattern.compile("(?m)^\\s*API\\s*:\\s*http://([^\\s:/]+):(\\d+)/");
    private static final Pattern ADMIN = Pattern.compile("(?m)^\\s*admin\\s*:\\s*http://[^\\s/]+:(\\d+)/");
    private static final Pattern LISTEN = Pattern.compile("listening for CMTSes on \\S+:(\\d+)");

    /** The ports named after node {@code id}'s "is up" line in {@code output}, or null before that line and its API. */
    static UpLine parse(String id, String output) {
        Matcher up = Pattern.compile("ipdr node " + Pattern.quote(id) + " \\(site [^)]*\\) is up").matcher(output);
        if (!up.find()) {
            return null;
        }
        String after = output.substring(up.end());
        Matcher api = API.matcher(after);
        if (!api.find()) {
            return null; // the lines are printed together; the rest is on its way
        }
        return new UpLine(Integer.parseInt(api.group(2)), port(after, ADMIN), port(after, LISTEN), api.group(1));
    }

    private static int port(String text, Pattern p) {
        Matcher m = p.matcher(text);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
}
