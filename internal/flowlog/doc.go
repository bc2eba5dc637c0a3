// Package flowlog turns VPC Flow Logs into observations: who initiated what,
// to where, for each network interface (issue #3; docs/semantics.md#flowlog-fields
// and the sections after it).
//
// # Stages
//
// The work is split in two stages so that the first can later move into
// Athena:
//
//  1. Parse and reduce (parallel, streaming). A zero-allocation reader
//     turns each line (the default format, a custom LogFormat, the header
//     S3 writes; plain text memory-mapped and cut into newline-aligned
//     chunks, gzip and stdin streamed in chunks that idle workers take
//     over, Parquet row by row) into a fact: what the record alone says
//     about its initiator. A SYN or SYN-ACK in tcp-flags says it exactly
//     (docs/semantics.md#flowlog-direction); a service port against an ephemeral one says it
//     heuristically (4.3 H1); anything else is undecided.
//     Text is read in two steps (scan.go, fast4.go): a scan records the
//     offsets of every blank, newline and doubled blank of a 64 KiB piece
//     (AVX2 assembly on amd64, portable Go elsewhere); a line with single
//     blanks and the format's column count is then decoded from those
//     offsets, and an OK record with IPv4 addresses - nearly all of them -
//     goes straight to its packed fact without a Record. Every other line
//     (IPv6, NODATA, SKIPDATA, runs of blanks, anything malformed) takes
//     the general parser (Format.Parse, decode, addRecord); differential
//     tests and fuzz targets hold both paths to the same result.
//     A line longer than MaxLineLength is one malformed line; streams skip
//     it without holding it, so every buffer has a fixed size.
//     Each worker sums its facts in its own table and, past 128 k facts,
//     flushes it into one shared table when that is free, so memory holds
//     each fact about once plus a bounded table per worker; the merge
//     reads the shared table and the workers' last tables.
//  2. Classify and aggregate (at merge time). A forwarding interface (NAT
//     or transit gateway, GWLB endpoint: by the inventory's type, or,
//     without its entry, records naming no instance with packet addresses
//     unlike srcaddr/dstaddr) gives Forwarded rows between the original
//     endpoints, never observations. Otherwise the interface's own side of
//     a record comes from flow-direction, else from the inventory's
//     addresses, else from the address shared by every record of that
//     interface, else from the side where pkt-* differs (AWS writes the
//     interface's primary address there); where none of these decides the fact becomes one row per
//     end, marked LocalUndetermined (Stats.UndeterminedInterfaces), never
//     guessed and never dropped. The local address is the packet's (a pod's
//     or a secondary address) where pkt-* gives one. The initiator is then decided
//     proof before guess (merge.go): tcp-flags, of the record or of the
//     same 5-tuple elsewhere (exact); the current security groups of both
//     ends, which an accepted record passed, so a direction they could not
//     have admitted is excluded (by-rules; package policy holds that
//     definition); the data's own evidence when both directions stay open
//     (the port classes, endpoints learned from handshakes, a listener
//     reached from several remotes on several client ports: heuristic);
//     else the fact is ambiguous and becomes one row per possible
//     direction. A fact the port classes collapsed keeps the range of the
//     ports it dropped, so that when the rules overturn the port classes
//     the other side's service port is still known. Everything is summed
//     into one Observation per (interface, direction, protocol, service
//     port, remote, accepted).
//
// # Memory and determinism: the trade-off
//
// Classification needs state across records (a SYN in one window decides
// later windows of the same 5-tuple; listening ports learned anywhere help
// everywhere), yet memory must not grow with the input. The compromise:
// a fact whose initiator the record itself names - exactly or by H1 - is
// normalised (initiator first) and drops the initiator's ephemeral port, so
// the request and the reply of every connection, in every window, fold
// into one fact per future observation. Only records that decide nothing
// alone keep both ports, and only handshakes on such port pairs are kept
// per 5-tuple for E3. So memory is proportional to the distinct
// observations plus the distinct 5-tuples of undecidable port pairs (high
// port to high port, portless protocols): bounded by the traffic's variety,
// not its volume. What is given up: E3 is applied per 5-tuple only where
// ports cannot decide; where they can, a later window joins the same
// observation as its handshake would, and the observation is exact when any
// of its records was. A handshake that contradicts the port classes (active
// FTP's server-initiated data connection) leaves that connection's later
// windows on the port-class side, marked heuristic.
//
// Every merge step is a sum, a minimum, a maximum or a set intersection,
// and interfaces are numbered in name order, so the result is identical
// whatever the worker count, chunk size or source order. Observations
// overlapping a SKIPDATA window of their interface are heuristic (docs/semantics.md#flowlog-status).
package flowlog
