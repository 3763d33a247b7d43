package io.ipdrsp.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipdrsp.protocol.DecoderOptions;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** {@code ipdr decode CAPTURE [--port N]... [--ipv6-raw] [--raw]}: one JSON object per IPDR/SP message in a capture. */
final class DecodeCommand implements Subcommand {
    static final int DEFAULT_PORT = 4737;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public String name() {
        return "decode";
    }

    @Override
    public String summary() {
        return "print the IPDR/SP messages of a pcap/pcapng capture as JSON lines";
    }

    @Override
    public String usage() {
        return """
                usage: ipdr decode CAPTURE [--port N]... [--ipv6-raw] [--raw]

                Reads a pcap or pcapng capture, reassembles the TCP connections on the given ports and prints one
                JSON object per IPDR/SP message on stdout (DATA records decoded with the templates announced on the
                same connection).

                  --port N     TCP port of IPDR/SP traffic; repeat for several (default 4737)
                  --ipv6-raw   read ipV6Addr fields as 16 bytes without a length prefix (IPDR.org reference
                               exporter quirk)
                  --raw        add each message's bytes as "raw" (hex)""";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        String capture = null;
        Set<Integer> ports = new LinkedHashSet<>();
        boolean ipv6Raw = false;
        boolean raw = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String portValue = null;
            if (a.equals("--port")) {
                if (i + 1 >= args.size()) {
                    return usageError(err, "--port needs a value");
                }
                portValue = args.get(++i);
            } else if (a.startsWith("--port=")) {
                portValue = a.substring("--port=".length());
            } else if (a.equals("--ipv6-raw")) {
                ipv6Raw = true;
                continue;
            } else if (a.equals("--raw")) {
                raw = true;
                continue;
            } else if (a.startsWith("-") && !a.equals("-")) {
                return usageError(err, "unknown option " + a);
            } else if (capture == null) {
                capture = a;
                continue;
            } else {
                return usageError(err, "more than one capture given");
            }
            int port;
            try {
                port = Integer.parseInt(portValue);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                return usageError(err, "--port must be 1..65535, not '" + portValue + "'");
            }
            ports.add(port);
        }
        if (capture == null) {
            return usageError(err, "no capture given");
        }
        if (ports.isEmpty()) {
            ports.add(DEFAULT_PORT);
        }
        return decode(capture, ports, DecoderOptions.DEFAULT.withIpv6Raw(ipv6Raw), raw, out, err);
    }

    private int decode(String capture, Set<Integer> ports, DecoderOptions options, boolean raw, PrintStream out,
            PrintStream err) {
        CaptureDecoder decoder = new CaptureDecoder(ports, options, raw, o -> {
            try {
                out.println(MAPPER.writeValueAsString(o));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e); // a tree of plain nodes always serialises
            }
        });
        Set<Integer> unsupported = new TreeSet<>();
        try (CaptureReader reader = CaptureReader.open(Path.of(capture))) {
            CapturedPacket p;
            while ((p = reader.next()) != null) {
                if (!PacketParser.supportedLinkType(p.linkType()) && unsupported.add(p.linkType())) {
                    err.println("ipdr decode: warning: link type " + p.linkType()
                            + " is not supported; its packets are skipped");
                }
                decoder.packet(p);
            }
        } catch (CaptureException e) {
            decoder.finish();
            out.flush();
            err.println("ipdr decode: cannot read " + capture + ": " + e.getMessage());
            return 1;
        }
        decoder.finish();
        out.flush();
        if (decoder.tcpSegments() == 0) {
            err.println("ipdr decode: no TCP traffic on port " + joined(ports) + " in " + capture
                    + " (choose ports with --port)");
        }
        return 0;
    }

    private static String joined(Set<Integer> ports) {
        return String.join(",", ports.stream().map(String::valueOf).toList());
    }

    private int usageError(PrintStream err, String problem) {
        err.println("ipdr decode: " + problem + " (usage: ipdr decode CAPTURE [--port N]... [--ipv6-raw] [--raw])");
        return 2;
    }
}
