package io.ipdrsp.node.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** An allow-list of addresses and CIDR blocks ("10.0.0.0/8", "::1", "192.0.2.7"). Literal addresses only. */
public final class AddressMatcher {
    private record Block(byte[] prefix, int bits) {
        boolean contains(byte[] a) {
            if (a.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (a[full] & mask) == (prefix[full] & mask);
        }
    }

    private final List<Block> blocks;

    private AddressMatcher(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /** @throws IllegalArgumentException naming the bad entry */
    public static AddressMatcher parse(List<String> entries) {
        List<Block> out = new ArrayList<>();
        for (String e : entries) {
            out.add(parseOne(e));
        }
        return new AddressMatcher(out);
    }

    static Block parseOne(String entry) {
        String s = entry == null ? "" : entry.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = literal(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR block (e.g. 10.0.0.0/8)");
        }
        int bits = bytes.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException ex) {
                bits = -1;
            }
            if (bits < 0 || bits > bytes.length * 8) {
                throw new IllegalArgumentException("'" + entry + "' has a bad prefix length (0.." + bytes.length * 8 + ")");
            }
        }
        return new Block(bytes, bits);
    }

    /** The address bytes of an IP literal, or null when it is not one (never a DNS lookup). */
    static byte[] literal(String s) {
        if (s.isEmpty() || !(s.indexOf(':') >= 0 || s.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            return null;
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    public boolean allows(InetAddress address) {
        byte[] a = normalize(address.getAddress());
        return blocks.stream().anyMatch(b -> b.contains(a) || b.contains(address.getAddress()));
    }

    /** IPv4-mapped IPv6 (::ffff:a.b.c.d) as IPv4, so that "127.0.0.1" matches a dual-stack socket's peer. */
    static byte[] normalize(byte[] a) {
        if (a.length == 16) {
            boolean mapped = a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = a[i] == 0;
            }
            if (mapped) {
                return new byte[] {a[12], a[13], a[14], a[15]};
            }
        }
        return a;
    }
}
