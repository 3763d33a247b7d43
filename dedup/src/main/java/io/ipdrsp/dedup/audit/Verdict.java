package io.ipdrsp.dedup.audit;

/** A document's completeness verdict. */
public enum Verdict {
    /** Every sequence number of the expected range is stored. */
    COMPLETE,
    /** Something is missing, and every missing record is covered by the exporter's droppedRecordCount. */
    COMPLETE_WITH_DECLARED_DROPS,
    /** Missing records that no declared drop explains (the unexplained ranges say which). */
    INCOMPLETE,
    /** Not final yet (open, suspended by SESSION_STOP 1/3, re-opened, or within its grace period). */
    OPEN
}
