package io.ipdrsp.protocol;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Mutable builder of one SAMIS-TYPE-1 record; not thread-safe. Addresses are raw bytes (IPv6 may be empty). */
public final class SamisType1Builder {
    private String cmtsHostName = "cmts001.hfc.example.net";
    private long cmtsSysUpTime = 123_456_789L;
    private byte[] cmtsIpv4Addr = SamisType1.ipv4(10, 0, 0, 1);
    private byte[] cmtsIpv6Addr = new byte[0];
    private String cmtsMdIfName = "Cable1/0/0";
    private long cmtsMdIfIndex = 1000;
    private long cmMacAddr = 0x0000_0011_2233_4455L;
    private byte[] cmIpv4Addr = SamisType1.ipv4(100, 64, 0, 2);
    private byte[] cmIpv6Addr = new byte[0];
    private byte[] cmIpv6LinkLocalAddr = new byte[0];
    private int cmQosVersion = 2;
    private int cmRegStatusValue = 8;
    private long cmLastRegTime = 1_699_990_000L;
    private int recType = 1;
    private long recCreationTime = 1_700_000_000_000L;
    private byte[] serviceFlowChSet = {1, 2, 3, 4, 5, 6, 7, 8};
    private long serviceAppId;
    private boolean serviceDsMulticast;
    private long serviceIdentifier = 1;
    private long serviceGateId;
    private String serviceClassName = "DS_1000M_GOLD";
    private int serviceDirection = 1;
    private long serviceOctetsPassed = 1_234_567_890L;
    private long servicePktsPassed = 1_234_567L;
    private long serviceSlaDropPkts;
    private long serviceSlaDelayPkts;
    private long serviceTimeCreated = 100_000L;
    private long serviceTimeActive = 3600;

    SamisType1Builder() {
    }

    public SamisType1Builder cmtsHostName(String v) {
        cmtsHostName = Objects.requireNonNull(v);
        return this;
    }

    /** Hundredths of a second, 0..2^32-1. */
    public SamisType1Builder cmtsSysUpTime(long v) {
        cmtsSysUpTime = v;
        return this;
    }

    public SamisType1Builder cmtsIpv4Addr(byte[] v) {
        cmtsIpv4Addr = checkLength(v, 4).clone();
        return this;
    }

    public SamisType1Builder cmtsIpv4Addr(String literal) {
        return cmtsIpv4Addr(SamisType1.literal(literal, 4));
    }

    /** 16 bytes, or empty for "no address". */
    public SamisType1Builder cmtsIpv6Addr(byte[] v) {
        cmtsIpv6Addr = v.clone();
        return this;
    }

    public SamisType1Builder cmtsIpv6Addr(String literal) {
        return cmtsIpv6Addr(SamisType1.literal(literal, 16));
    }

    public SamisType1Builder cmtsMdIfName(String v) {
        cmtsMdIfName = Objects.requireNonNull(v);
        return this;
    }

    public SamisType1Builder cmtsMdIfIndex(long v) {
        cmtsMdIfIndex = v;
        return this;
    }

    /** MAC in the low 48 bits. */
    public SamisType1Builder cmMacAddr(long v) {
        cmMacAddr = v;
        return this;
    }

    public SamisType1Builder cmIpv4Addr(byte[] v) {
        cmIpv4Addr = checkLength(v, 4).clone();
        return this;
    }

    public SamisType1Builder cmIpv4Addr(String literal) {
        return cmIpv4Addr(SamisType1.literal(literal, 4));
    }

    public SamisType1Builder cmIpv6Addr(byte[] v) {
        cmIpv6Addr = v.clone();
        return this;
    }

    public SamisType1Builder cmIpv6Addr(String literal) {
        return cmIpv6Addr(SamisType1.literal(literal, 16));
    }

    public SamisType1Builder cmIpv6LinkLocalAddr(byte[] v) {
        cmIpv6LinkLocalAddr = v.clone();
        return this;
    }

    public SamisType1Builder cmIpv6LinkLocalAddr(String literal) {
        return cmIpv6LinkLocalAddr(SamisType1.literal(literal, 16));
    }

    public SamisType1Builder cmQosVersion(int v) {
        cmQosVersion = v;
        return this;
    }

    public SamisType1Builder cmRegStatusValue(int v) {
        cmRegStatusValue = v;
        return this;
    }

    /** Seconds since 1970. */
    public SamisType1Builder cmLastRegTime(long v) {
        cmLastRegTime = v;
        return this;
    }

    /** 1 Interim, 2 Stop, 3 Start, 4 Event. */
    public SamisType1Builder recType(int v) {
        recType = v;
        return this;
    }

    /** Milliseconds since 1970. */
    public SamisType1Builder recCreationTime(long v) {
        recCreationTime = v;
        return this;
    }

    /** One byte per channel id. */
    public SamisType1Builder serviceFlowChSet(byte[] v) {
        serviceFlowChSet = v.clone();
        return this;
    }

    public SamisType1Builder serviceAppId(long v) {
        serviceAppId = v;
        return this;
    }

    public SamisType1Builder serviceDsMulticast(boolean v) {
        serviceDsMulticast = v;
        return this;
    }

    public SamisType1Builder serviceIdentifier(long v) {
        serviceIdentifier = v;
        return this;
    }

    public SamisType1Builder serviceGateId(long v) {
        serviceGateId = v;
        return this;
    }

    public SamisType1Builder serviceClassName(String v) {
        serviceClassName = Objects.requireNonNull(v);
        return this;
    }

    /** 1 downstream, 2 upstream. */
    public SamisType1Builder serviceDirection(int v) {
        serviceDirection = v;
        return this;
    }

    /** Unsigned 64 bits. */
    public SamisType1Builder serviceOctetsPassed(long v) {
        serviceOctetsPassed = v;
        return this;
    }

    public SamisType1Builder servicePktsPassed(long v) {
        servicePktsPassed = v;
        return this;
    }

    public SamisType1Builder serviceSlaDropPkts(long v) {
        serviceSlaDropPkts = v;
        return this;
    }

    public SamisType1Builder serviceSlaDelayPkts(long v) {
        serviceSlaDelayPkts = v;
        return this;
    }

    public SamisType1Builder serviceTimeCreated(long v) {
        serviceTimeCreated = v;
        return this;
    }

    public SamisType1Builder serviceTimeActive(long v) {
        serviceTimeActive = v;
        return this;
    }

    /** Appends the record (without DATA's 4-byte length) to {@code out}; returns its size. */
    public int encodeTo(ByteBuf out) {
        return SamisType1.encoder().writer(out)
            .putString(cmtsHostName)
            .putLong(cmtsSysUpTime)
            .putLong(unsigned(cmtsIpv4Addr))
            .putBytes(cmtsIpv6Addr)
            .putString(cmtsMdIfName)
            .putLong(cmtsMdIfIndex)
            .putLong(cmMacAddr)
            .putLong(unsigned(cmIpv4Addr))
            .putBytes(cmIpv6Addr)
            .putBytes(cmIpv6LinkLocalAddr)
            .putInt(cmQosVersion)
            .putInt(cmRegStatusValue)
            .putLong(cmLastRegTime)
            .putInt(recType)
            .putLong(recCreationTime)
            .putBytes(serviceFlowChSet)
            .putLong(serviceAppId)
            .putBoolean(serviceDsMulticast)
            .putLong(serviceIdentifier)
            .putLong(serviceGateId)
            .putString(serviceClassName)
            .putInt(serviceDirection)
            .putLong(serviceOctetsPassed)
            .putLong(servicePktsPassed)
            .putLong(serviceSlaDropPkts)
            .putLong(serviceSlaDelayPkts)
            .putLong(serviceTimeCreated)
            .putLong(serviceTimeActive)
            .finish();
    }

    /** The values in field order, as {@link RecordEncoder#encode} accepts them. */
    public List<Object> values() {
        return new ArrayList<>(Arrays.asList(cmtsHostName, cmtsSysUpTime, unsigned(cmtsIpv4Addr),
            cmtsIpv6Addr.clone(), cmtsMdIfName, cmtsMdIfIndex, cmMacAddr, unsigned(cmIpv4Addr), cmIpv6Addr.clone(),
            cmIpv6LinkLocalAddr.clone(), cmQosVersion, cmRegStatusValue, cmLastRegTime, recType,
            recCreationTime, serviceFlowChSet.clone(), serviceAppId, serviceDsMulticast, serviceIdentifier,
            serviceGateId, serviceClassName, serviceDirection, serviceOctetsPassed, servicePktsPassed,
            serviceSlaDropPkts, serviceSlaDelayPkts, serviceTimeCreated, serviceTimeActive));
    }

    public String cmtsHostName() {
        return cmtsHostName;
    }

    public long cmMacAddr() {
        return cmMacAddr;
    }

    public long serviceIdentifier() {
        return serviceIdentifier;
    }

    public long serviceOctetsPassed() {
        return serviceOctetsPassed;
    }

    private static long unsigned(byte[] ipv4) {
        return ((ipv4[0] & 0xffL) << 24) | ((ipv4[1] & 0xff) << 16) | ((ipv4[2] & 0xff) << 8) | (ipv4[3] & 0xff);
    }

    private static byte[] checkLength(byte[] v, int n) {
        if (v.length != n) {
            throw new IllegalArgumentException(n + " bytes expected, got " + v.length);
        }
        return v;
    }
}
