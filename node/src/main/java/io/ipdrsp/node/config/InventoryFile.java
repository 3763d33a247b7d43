package io.ipdrsp.node.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The CMTSes a node dials, from a file an inventory system can generate ({@code fleet.inventoryFile}): one CMTS a
 * line, {@code name,address[,port[,localAddress]]} or just its IPv4 address (then named by
 * {@code fleet.nameTemplate} with that address as {initiatorId}); {@code #} starts a comment, blank lines are
 * skipped. Every CMTS gets direction {@code connect}, port 4737 unless given, and {@code fleet.keepAliveSeconds}.
 * A file with any bad line is refused whole, with every bad line named, so a half-edited file never drops CMTSes.
 */
public final class InventoryFile {
    /** More than any collector pair serves; bounds what a runaway generator can make the node dial. */
    static final int MAX_CMTSES = 100_000;
    private static final long MAX_BYTES = 16L << 20;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** The file could not be used; {@link #getMessage()} names every bad line and the fix. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    private InventoryFile() {
    }

    /** Reads and checks the file; {@code taken}: names already used by {@code exporters} (a clash is a bad line). */
    public static List<ExporterConfig> read(Path file, ExporterNaming naming, int keepAliveSeconds,
            Collection<String> taken) throws Invalid {
        List<String> lines;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new Invalid(file + " is larger than " + (MAX_BYTES >> 20) + " MiB: is it the inventory?");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Invalid("cannot read " + file + " (" + e + "): check the path and that the node may read it");
        }
        return parse(lines, file.toString(), naming, keepAliveSeconds, taken);
    }

    static List<ExporterConfig> parse(List<String> lines, String source, ExporterNaming naming, int keepAliveSeconds,
            Collection<String> taken) throws Invalid {
        List<ExporterConfig> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int hash = lines.get(i).indexOf('#');
            String line = (hash < 0 ? lines.get(i) : lines.get(i).substring(0, hash)).trim();
            if (line.isEmpty()) {
                continue;
            }
            String at = source + ":" + (i + 1) + ": ";
            try {
                ExporterConfig e = entry(line.split(",", -1), naming, keepAliveSeconds);
                Integer first = names.putIfAbsent(e.getName(), i + 1);
                if (first != null) {
                    problems.add(at + "'" + e.getName() + "' is also on line " + first + ": names must be unique");
                } else if (taken.contains(e.getName())) {
                    problems.add(at + "'" + e.getName() + "' is already a CMTS under exporters: remove one of them");
                } else {
                    out.add(e);
                }
            } catch (IllegalArgumentException ex) {
                problems.add(at + ex.getMessage());
            }
            if (out.size() > MAX_CMTSES) {
                problems.add(at + "more than " + MAX_CMTSES + " CMTSes: split the fleet over several collector pairs");
                break;
            }
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 20);
            throw new Invalid(String.join("; ", problems.subList(0, shown))
                    + (problems.size() > shown ? "; and " + (problems.size() - shown) + " more bad lines" : ""));
        }
        return out;
    }

    private static ExporterConfig entry(String[] f, ExporterNaming naming, int keepAliveSeconds) {
        for (int k = 0; k < f.length; k++) {
            f[k] = f[k].trim();
        }
        if (f.length > 4) {
            throw new IllegalArgumentException("too many fields: write name,address[,port[,localAddress]]");
        }
        String name;
        String address;
        if (f.length == 1) {
            address = f[0];
            if (AddressMatcher.literal(address) == null || address.indexOf(':') >= 0) {
                throw new IllegalArgumentException("'" + address + "' alone must be an IPv4 address (the name is "
                        + "made from it); otherwise write name,address");
            }
            if (naming.usesVendorId()) {
                throw new IllegalArgumentException("an address alone cannot be named: fleet.nameTemplate uses "
                        + "{vendorId}, unknown before the node dials; write name,address");
            }
            name = naming.name(address);
        } else {
            name = f[0];
            address = f[1];
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name '" + name + "' must be 1-128 letters, digits, '.', '_', ':', '-'");
        }
        if (address.isEmpty() || address.contains(" ")) {
            throw new IllegalArgumentException("address '" + address + "' must be the CMTS's IP address or host name");
        }
        int port = 4737;
        if (f.length >= 3 && !f[2].isEmpty()) {
            try {
                port = Integer.parseInt(f[2]);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port '" + f[2] + "' must be 1..65535 (IPDR/SP: 4737)");
            }
        }
        String local = f.length == 4 ? f[3] : "";
        if (!local.isEmpty() && AddressMatcher.literal(local) == null) {
            throw new IllegalArgumentException("localAddress '" + local + "' must be a local IP address or empty");
        }
        return new ExporterConfig(name, address, port, Direction.CONNECT).keepAliveSeconds(keepAliveSeconds)
                .localAddress(local);
    }
}
