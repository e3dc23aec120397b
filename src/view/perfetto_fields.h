/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The field numbers and enum values of Perfetto's trace protos that
 * perfetto.c writes: those of protos/perfetto/trace/ in Perfetto's sources,
 * listed with their types in docs/perfetto_subset.proto (keep both alike).
 */
#ifndef CT_VIEW_PERFETTO_FIELDS_H
#define CT_VIEW_PERFETTO_FIELDS_H

/* Trace */
#define F_TRACE_PACKET 1
/* TracePacket */
#define F_TP_TIMESTAMP 8
#define F_TP_SEQUENCE_ID 10 /* trusted_packet_sequence_id */
#define F_TP_TRACK_EVENT 11
#define F_TP_INTERNED_DATA 12
#define F_TP_SEQUENCE_FLAGS 13
#define F_TP_TRACK_DESCRIPTOR 60
#define SEQ_INCREMENTAL_STATE_CLEARED 1
#define SEQ_NEEDS_INCREMENTAL_STATE 2
/* TrackDescriptor */
#define F_TD_UUID 1
#define F_TD_NAME 2
#define F_TD_PROCESS 3
#define F_TD_THREAD 4
/* ProcessDescriptor */
#define F_PD_PID 1
#define F_PD_CMDLINE 2
#define F_PD_PROCESS_NAME 6
/* ThreadDescriptor */
#define F_THD_PID 1
#define F_THD_TID 2
#define F_THD_THREAD_NAME 5
/* TrackEvent */
#define F_TE_CATEGORY_IIDS 3
#define F_TE_DEBUG_ANNOTATIONS 4
#define F_TE_TYPE 9
#define F_TE_NAME_IID 10
#define F_TE_TRACK_UUID 11
#define TYPE_SLICE_BEGIN 1
#define TYPE_SLICE_END 2
#define TYPE_INSTANT 3
/* DebugAnnotation */
#define F_DA_NAME_IID 1
#define F_DA_BOOL_VALUE 2
#define F_DA_UINT_VALUE 3
#define F_DA_INT_VALUE 4
#define F_DA_STRING_VALUE 6
#define F_DA_POINTER_VALUE 7
#define F_DA_NAME 10
#define F_DA_DICT_ENTRIES 11
#define F_DA_ARRAY_VALUES 12
/* InternedData; its EventCategory, EventName and DebugAnnotationName
 * entries are all { iid = 1; name = 2; } */
#define F_ID_EVENT_CATEGORIES 1
#define F_ID_EVENT_NAMES 2
#define F_ID_DEBUG_ANNOTATION_NAMES 3
#define F_IE_IID 1
#define F_IE_NAME 2

#endif
